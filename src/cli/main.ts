// The kube-ha-sim command line. Each command lives in src/cli/commands/ and exports a register function taking
// (program, io, setExitCode); main.ts wires them in one place:
//   run, validate, list        src/cli/commands/{run,validate,list}.ts
//   sweep, merge               src/cli/commands/sweep.ts (registerSweepCommands)
//   check                      src/cli/commands/check.ts (registerCheckCommand)
// Exit statuses: 0 ok, 1 the run failed its expectations (or a regression, for sweep --baseline), 2 bad input,
// 3 internal error; `check` documents its own.
import { Command, CommanderError } from 'commander';
import { processIo as sweepProcessIo, registerSweepCommands } from './commands/sweep';
import { registerListCommand } from './commands/list';
import { registerCheckCommand } from './commands/check';
import { registerRunCommand } from './commands/run';
import { registerValidateCommand } from './commands/validate';
import { EXIT, processCliIo, type CliIo } from './io';

const EXAMPLES = `
Examples:
  $ kube-ha-sim run scenarios/failover-15s.yaml          # the 15-second fail-over, as a timeline
  $ kube-ha-sim list                                      # the bundled scenarios
  $ kube-ha-sim validate my-scenario.yaml
  $ kube-ha-sim sweep scenarios/failover-15s.yaml --set kube-scheduler.--leader-elect-lease-duration=15s,30s --seeds 200

Run \`kube-ha-sim help <command>\` for a command's options and examples.
`;

export async function main(argv: readonly string[], io: CliIo = processCliIo()): Promise<number> {
  let exitCode: number = EXIT.ok;
  const setExitCode = (code: number): void => {
    exitCode = code;
  };
  const getIo = (): CliIo => io;
  const program = new Command('kube-ha-sim')
    .description('A faithful, deterministic simulator of a Kubernetes high-availability control plane.')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', EXAMPLES);
  registerRunCommand(program, getIo, setExitCode);
  registerValidateCommand(program, getIo, setExitCode);
  registerListCommand(program, getIo, setExitCode);
  registerSweepCommands(program, () => (io === undefined ? sweepProcessIo() : io), setExitCode);
  registerCheckCommand(program, getIo, setExitCode);
  for (const command of program.commands) {
    command.exitOverride().configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT.ok;
      if (err.code === 'commander.executeSubCommandAsync') return err.exitCode;
      // Usage problems (unknown option, missing argument): commander has printed the message.
      return argv.length === 0 ? EXIT.ok : EXIT.usage;
    }
    throw err;
  }
}
