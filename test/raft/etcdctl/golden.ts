// Golden-file comparison: expected outputs live beside the tests (test/raft/etcdctl/golden/*.txt).
// Regenerate with UPDATE_GOLDEN=1 after checking the new output against the real tool's format.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'golden');

export function expectGolden(name: string, actual: string): void {
  const file = join(dir, name);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  if (!existsSync(file)) throw new Error(`golden file ${file} is missing (run with UPDATE_GOLDEN=1 to create it)`);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}
