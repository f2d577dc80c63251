// NDJSON trace sink through pino: one JSON object per event, stamped with the simulated time (pino's `time`
// field, in milliseconds since the start of the run), never the wall clock. Deterministic: no pid, no hostname.
import pino from 'pino';
import type { TraceEvent, TraceKind, TraceSink } from './trace';

export class NdjsonSink implements TraceSink {
  readonly kinds: ReadonlySet<string> | 'all';
  private nowUs = 0;
  private readonly logger: pino.Logger;

  /** `write` receives each line, newline included. */
  constructor(write: (line: string) => void, kinds: readonly TraceKind[] | 'all' = 'all') {
    this.kinds = kinds === 'all' ? 'all' : new Set(kinds);
    this.logger = pino(
      {
        base: null,
        level: 'debug',
        messageKey: 'msg',
        timestamp: () => `,"time":${this.nowUs / 1000}`,
      },
      { write },
    );
  }

  write(event: TraceEvent): void {
    this.nowUs = event.tUs;
    const level = event.kind === 'log' ? event.level : event.kind === 'violation' ? 'error' : 'info';
    if (event.kind === 'log') {
      // pino's numeric `level` carries the log level; the message goes in `msg`.
      const { msg, level: _level, ...rest } = event;
      this.logger[level](rest, msg);
      return;
    }
    this.logger[level](event);
  }
}
