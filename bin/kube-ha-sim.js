#!/usr/bin/env node
// Entry point of the `kube-ha-sim` command. The TypeScript sources run directly through tsx,
// so a fresh `npm install` needs no build step before the command works.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv.slice(2));
process.exitCode = code;
