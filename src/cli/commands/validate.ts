// `kube-ha-sim validate FILE...`: checks scenario files without running them.
import type { Command } from 'commander';
import { formatDiagnostic, ScenarioError } from '../../scenario/diagnostics';
import { EXIT, type CliIo } from '../io';
import { loadScenarioFile } from '../load';
import { reportError } from '../errors';

const EXAMPLES = `
Examples:
  $ kube-ha-sim validate scenarios/failover-15s.yaml
  $ kube-ha-sim validate scenarios/*.yaml

Each valid file prints "FILE: ok"; each problem prints as FILE:LINE:COL: FIELD: MESSAGE.
Exit status: 0 when every file is valid, 2 otherwise.
`;

export function validateCommand(files: readonly string[], io: CliIo): number {
  let status: number = EXIT.ok;
  for (const file of files) {
    try {
      const s = loadScenarioFile(file);
      io.stdout.write(`${file}: ok (${s.name}${s.description ? `: ${s.description}` : ''})\n`);
    } catch (err) {
      if (err instanceof ScenarioError) {
        for (const d of err.diagnostics) io.stderr.write(`${formatDiagnostic(d)}\n`);
        status = EXIT.usage;
      } else {
        status = Math.max(status, reportError('validate', err, io));
      }
    }
  }
  return status;
}

export function registerValidateCommand(program: Command, io: () => CliIo, setExitCode: (code: number) => void): void {
  program
    .command('validate')
    .description('Check scenario files (schema, names, flags) without running them')
    .argument('<files...>', 'scenario files (YAML)')
    .addHelpText('after', EXAMPLES)
    .action((files: string[]) => setExitCode(validateCommand(files, io())));
}
