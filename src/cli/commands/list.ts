// `kube-ha-sim list`: the bundled scenarios with their one-line descriptions.
import { relative } from 'node:path';
import type { Command } from 'commander';
import { EXIT, type CliIo } from '../io';
import { bundledScenarioFiles, loadScenarioFile, BUNDLED_SCENARIOS_DIR } from '../load';
import { guarded } from '../errors';

const EXAMPLES = `
Examples:
  $ kube-ha-sim list
  $ kube-ha-sim run scenarios/etcd-leader-crash.yaml
`;

export function listCommand(io: CliIo, dir = BUNDLED_SCENARIOS_DIR): number {
  const rows: Array<[string, string, string]> = [];
  let status: number = EXIT.ok;
  for (const file of bundledScenarioFiles(dir)) {
    const shown = relative(process.cwd(), file) || file;
    try {
      const s = loadScenarioFile(file);
      rows.push([s.name, shown, s.description]);
    } catch {
      rows.push([shown, shown, '(invalid: run `kube-ha-sim validate` on it)']);
      status = EXIT.usage;
    }
  }
  const nameWidth = Math.max(4, ...rows.map((r) => r[0].length));
  io.stdout.write(`${'NAME'.padEnd(nameWidth)}  DESCRIPTION\n`);
  for (const [name, , description] of rows) io.stdout.write(`${name.padEnd(nameWidth)}  ${description}\n`);
  io.stdout.write(`\nRun one with: kube-ha-sim run ${relative(process.cwd(), dir) || dir}/NAME.yaml\n`);
  return status;
}

export function registerListCommand(program: Command, io: () => CliIo, setExitCode: (code: number) => void): void {
  program
    .command('list')
    .description('List the bundled scenarios with one-line descriptions')
    .addHelpText('after', EXAMPLES)
    .action(async () => setExitCode(await guarded('list', io(), () => listCommand(io()))));
}
