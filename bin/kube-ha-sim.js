#!/usr/bin/env node
// Entry point of the `kube-ha-sim` command. The TypeScript sources run directly through tsx,
// so a fresh `npm install` needs no build step before the command works.
import { register } from 'tsx/esm/api';

// `kube-ha-sim run ... | head` closes the pipe early: stop quietly, as Unix tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

register();
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv.slice(2));
process.exitCode = code;
