#!/usr/bin/env node
// `npm run bench`: the benchmarks of src/bench, run from the same bundle as the command line (scripts/bundle.js),
// so they measure the code users run. Falls back to the sources through tsx where no bundle can be built.
import { bundledEntry } from './bundle.js';

const bundle = await bundledEntry('bench');
let main;
if (bundle !== null) {
  ({ main } = await import(bundle));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/bench/main.ts'));
}
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
