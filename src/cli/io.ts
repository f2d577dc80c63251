// Where commands write: the real process streams, or buffers in tests (main(argv, io)).
export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /** A terminal to draw progress bars on, or null (not a TTY, or a test). */
  readonly progress: NodeJS.WriteStream | null;
}

export const processCliIo = (): CliIo => ({
  stdout: process.stdout,
  stderr: process.stderr,
  progress: process.stderr.isTTY ? process.stderr : null,
});

/** Exit statuses of `run` and `validate` (check and sweep document their own). */
export const EXIT = {
  ok: 0,
  /** An expectation failed or an invariant was violated. */
  failed: 1,
  /** Bad input: a malformed scenario, an unknown flag, a file that cannot be read. */
  usage: 2,
  /** A bug inside the simulator (the message carries the seed and the replay command). */
  internal: 3,
} as const;
