#!/usr/bin/env node
// `npm run bench`: the benchmarks of src/bench, run from the same bundle as the command line (scripts/bundle.js),
// so they measure the code users run. Falls back to the sources through tsx where no bundle can be built.
import { importEntry } from './bundle.js';

const { main } = await importEntry('bench');
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
