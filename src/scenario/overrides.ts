// `--set KEY=VALUE` overrides of component flags, as `run` and `sweep` take them. Keys are
// `component.flag` under real names: `kube-scheduler.--leader-elect-lease-duration=30s`, `etcd.--election-timeout=2000`,
// `haproxy.inter=1s`, `haproxy.timeout check=5s`. The scenario is re-validated with the new values, so the
// cross-flag rules (lease duration > renew deadline, ...) apply to overrides too.
import { didYouMean } from './diagnostics';
import { COMPONENT_FLAGS, COMPONENT_NAMES, allFlagKeys, checkFlagValue, type ComponentName } from './flags';
import { validateScenarioData } from './parse';
import type { Scenario } from './types';

/** Bad input that is not in a file (a command-line value): the CLI prints the message and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface FlagSetting {
  readonly component: ComponentName;
  readonly flag: string;
  readonly value: string | number | boolean;
}

/** Parses `component.flag=value` (value as typed on a command line). */
export function parseSetting(text: string): FlagSetting {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UsageError(`--set ${text}: expected KEY=VALUE, e.g. kube-scheduler.--leader-elect-lease-duration=30s`);
  return checkSetting(text.slice(0, eq).trim(), text.slice(eq + 1).trim(), true);
}

/** Checks a key and a value; `fromString` converts command-line text to the flag's type. */
export function checkSetting(key: string, value: unknown, fromString = false): FlagSetting {
  const dot = key.indexOf('.');
  const component = (dot > 0 ? key.slice(0, dot) : key) as ComponentName;
  const flag = dot > 0 ? key.slice(dot + 1) : '';
  if (!COMPONENT_NAMES.includes(component) || flag === '') {
    throw new UsageError(`unknown key "${key}"${didYouMean(key, allFlagKeys())}; valid keys:\n  ${allFlagKeys().join('\n  ')}`);
  }
  const def = COMPONENT_FLAGS[component].find((f) => f.name === flag);
  if (def === undefined) {
    const keys = COMPONENT_FLAGS[component].map((f) => `${component}.${f.name}`);
    throw new UsageError(`unknown key "${key}"${didYouMean(key, keys)}; valid keys for ${component}:\n  ${keys.join('\n  ')}`);
  }
  const r = checkFlagValue(def, value, fromString);
  if (!r.ok) throw new UsageError(`${key}: ${r.message}`);
  return { component, flag, value: r.value };
}

/** A new scenario with the settings applied and everything re-validated (cross-flag rules included). */
export function applySettings(scenario: Scenario, settings: readonly FlagSetting[]): Scenario {
  if (settings.length === 0) return scenario;
  const doc = structuredClone(scenario.document) as { spec?: { components?: Record<string, Record<string, unknown>> } };
  doc.spec ??= {};
  doc.spec.components ??= {};
  for (const s of settings) {
    doc.spec.components[s.component] ??= {};
    doc.spec.components[s.component]![s.flag] = s.value;
  }
  try {
    return validateScenarioData(doc, scenario.file, null);
  } catch (err) {
    if (err instanceof Error && err.name === 'ScenarioError') {
      const lines = err.message.split('\n').map((l) => l.replace(/^[^:]*:1:1: /, ''));
      throw new UsageError(`with --set ${settings.map((s) => `${s.component}.${s.flag}=${String(s.value)}`).join(' ')}:\n  ${lines.join('\n  ')}`);
    }
    throw err;
  }
}
