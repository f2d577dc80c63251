// How the command line reports failures: bad input gets its message and exit 2, never a stack trace; an internal
// error gets its message, the seed and the replay command, and exit 3.
import { EXIT, type CliIo } from './io';

function isInputError(err: unknown): err is Error {
  return err instanceof Error && (err.name === 'ScenarioError' || err.name === 'UsageError' || err.name === 'SweepInputError');
}

export function reportError(command: string, err: unknown, io: CliIo): number {
  if (isInputError(err)) {
    // Scenario diagnostics already start with file:line:col.
    io.stderr.write(err.name === 'ScenarioError' ? `${err.message}\n` : `kube-ha-sim ${command}: ${err.message}\n`);
    return EXIT.usage;
  }
  if (err instanceof Error && err.name === 'RunError') {
    const e = err as Error & { seed: string; replay: string; cause?: unknown };
    io.stderr.write(`kube-ha-sim ${command}: ${e.message}\n  seed: ${e.seed}\n  replay: ${e.replay}\n`);
    if (process.env.KUBE_HA_SIM_DEBUG && e.cause instanceof Error && e.cause.stack) io.stderr.write(`${e.cause.stack}\n`);
    io.stderr.write('This is a bug in kube-ha-sim: please report it with the replay command above.\n');
    return EXIT.internal;
  }
  io.stderr.write(`kube-ha-sim ${command}: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
  if (process.env.KUBE_HA_SIM_DEBUG && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
  io.stderr.write('This is a bug in kube-ha-sim: please report it (set KUBE_HA_SIM_DEBUG=1 for the stack trace).\n');
  return EXIT.internal;
}

/** Runs a command body, turning any error into its report and exit status. */
export async function guarded(command: string, io: CliIo, body: () => number | Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    return reportError(command, err, io);
  }
}
