// Reading scenario files for the command line (the only place with a file system).
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseScenario } from '../scenario/parse';
import { UsageError } from '../scenario/overrides';
import type { Scenario } from '../scenario/types';

/** The scenarios shipped with kube-ha-sim. */
export const BUNDLED_SCENARIOS_DIR = fileURLToPath(new URL('../../scenarios/', import.meta.url));

export function readTextFile(file: string, what = 'scenario'): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : err instanceof Error ? err.message : String(err);
    throw new UsageError(`cannot read ${what} ${file}: ${why}`);
  }
}

/** Reads and validates a scenario file; throws ScenarioError (file:line:col diagnostics) or UsageError. */
export function loadScenarioFile(file: string): Scenario {
  return parseScenario(readTextFile(file), file);
}

/** The bundled scenario files, sorted by name. */
export function bundledScenarioFiles(dir = BUNDLED_SCENARIOS_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort()
    .map((f) => `${dir}${dir.endsWith('/') ? '' : '/'}${f}`);
}
