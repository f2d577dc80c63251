// The kube-ha-sim command line.
import { Command, CommanderError } from 'commander';

export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('kube-ha-sim')
    .description('A faithful, deterministic simulator of a Kubernetes high-availability control plane.')
    .exitOverride();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    throw err;
  }
}
