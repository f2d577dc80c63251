// Progress of a sweep: a bar with the ETA on a terminal (stderr), nothing at all otherwise (CI logs, pipes).
import cliProgress from 'cli-progress';

export interface SweepProgress {
  update(done: number): void;
  stop(): void;
}

export const QUIET_PROGRESS: SweepProgress = { update: () => {}, stop: () => {} };

export function createProgress(total: number, stream: NodeJS.WriteStream, label: string): SweepProgress {
  if (!stream.isTTY || total === 0) return QUIET_PROGRESS;
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: `${label} [{bar}] {percentage}% | {value}/{total} runs | {duration_formatted} elapsed | ETA {eta_formatted}`,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return {
    update: (done) => bar.update(done),
    stop: () => bar.stop(),
  };
}
