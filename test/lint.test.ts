// The determinism lint (eslint.config.js): wall-clock time, unseeded randomness, real timers and node builtins
// are errors everywhere under src/ except src/cli and src/bench. Shown here through ESLint's Node API.
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: repoRoot });
});

/** The rule ids of the errors ESLint reports for `code` placed at `filePath`. */
async function errors(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.severity === 2).map((m) => m.ruleId ?? `fatal: ${m.message}`);
}

const forbidden: Array<[string, string, string]> = [
  ['Math.random()', 'export const x = Math.random();\n', 'no-restricted-properties'],
  ['Math.random destructured', 'const { random } = Math;\nexport const x = random();\n', 'no-restricted-properties'],
  ['Date.now()', 'export const t = Date.now();\n', 'no-restricted-properties'],
  ['new Date()', 'export const d = new Date();\n', 'no-restricted-syntax'],
  ['Date()', 'export const d = Date();\n', 'no-restricted-syntax'],
  ['performance.now()', 'export const t = performance.now();\n', 'no-restricted-properties'],
  ['process.hrtime()', 'export const t = process.hrtime();\n', 'no-restricted-properties'],
  ['setTimeout', 'setTimeout(() => undefined, 10);\n', 'no-restricted-globals'],
  ['setInterval', 'setInterval(() => undefined, 10);\n', 'no-restricted-globals'],
  ['setImmediate', 'setImmediate(() => undefined);\n', 'no-restricted-globals'],
  ['queueMicrotask', 'queueMicrotask(() => undefined);\n', 'no-restricted-globals'],
  ['globalThis.setTimeout', 'globalThis.setTimeout(() => undefined, 10);\n', 'no-restricted-properties'],
  ['crypto.randomUUID()', 'export const id = crypto.randomUUID();\n', 'no-restricted-globals'],
  ['a node: import', "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n", 'no-restricted-imports'],
  ['a bare node builtin import', "import { EventEmitter } from 'events';\nexport const e = EventEmitter;\n", 'no-restricted-imports'],
];

describe('the determinism lint', () => {
  it.each(forbidden)('%s under src/sim fails the lint', async (_name, code, rule) => {
    expect(await errors(code, 'src/sim/x.ts')).toContain(rule);
  });

  it.each(forbidden)('%s under src/cli passes', async (_name, code) => {
    expect(await errors(code, 'src/cli/x.ts')).toEqual([]);
  });

  it('applies to every simulation folder, not only src/sim, and also to the benchmarks not at all', async () => {
    const code = 'export const x = Math.random();\n';
    expect(await errors(code, 'src/raft/x.ts')).toContain('no-restricted-properties');
    expect(await errors(code, 'src/lease/deep/x.ts')).toContain('no-restricted-properties');
    expect(await errors(code, 'src/bench/x.ts')).toEqual([]);
  });

  it('lets deterministic uses of Date through', async () => {
    const code = 'export const epoch = Date.UTC(2025, 0, 1);\nexport const d = new Date(0).toISOString();\n';
    expect(await errors(code, 'src/sim/x.ts')).toEqual([]);
  });

  it('the real src/sim passes', async () => {
    const results = await eslint.lintFiles(['src/sim']);
    const problems = results.flatMap((r) => r.messages.filter((m) => m.severity === 2).map((m) => `${r.filePath}:${m.line} ${m.ruleId}`));
    expect(problems).toEqual([]);
  });
});
