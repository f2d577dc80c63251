// NDJSON trace sink through pino: one JSON object per event, stamped with the simulated time (pino's `time`
// field, in milliseconds since the start of the run), never the wall clock. Deterministic: no pid, no hostname.
//
// Each line: {"level":30,"time":<ms>,"kind":...,"tUs":...,<the event's fields>} (for 'log' events the level is the
// event's own and its text is "msg", last). In a browser bundle, `pino` resolves to pino's browser build, which
// ignores destination streams and logs objects to the console; the sink then hands pino a `browser.write` hook
// and serialises each object itself in the same key order, so both builds write byte-identical lines.
import pino from 'pino';
import type { TraceEvent, TraceKind, TraceSink } from './trace';

export interface NdjsonSinkOptions {
  /** The pino factory to use (tests pass pino's browser build); default: the `pino` import. */
  readonly pino?: typeof pino;
}

type PinoLevel = 'debug' | 'info' | 'warn' | 'error';

export class NdjsonSink implements TraceSink {
  readonly kinds: ReadonlySet<string> | 'all';
  private nowUs = 0;
  private readonly logger: pino.Logger;

  /** `write` receives each line, newline included. */
  constructor(write: (line: string) => void, kinds: readonly TraceKind[] | 'all' = 'all', options: NdjsonSinkOptions = {}) {
    this.kinds = kinds === 'all' ? 'all' : new Set(kinds);
    const factory = options.pino ?? pino;
    // Node's pino has destination(); its browser build has none and never writes to a stream.
    const browserBuild = typeof (factory as unknown as { destination?: unknown }).destination !== 'function';
    this.logger = browserBuild
      ? factory({
          level: 'debug',
          messageKey: 'msg',
          timestamp: () => this.nowUs / 1000,
          browser: { write: (o: object) => write(browserLine(o as Record<string, unknown>, this.nowUs / 1000)) },
        } as unknown as pino.LoggerOptions)
      : factory(
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
    const level: PinoLevel = event.kind === 'log' ? event.level : event.kind === 'violation' ? 'error' : 'info';
    if (event.kind === 'log') {
      // pino's numeric `level` carries the log level; the message goes in `msg`.
      const { msg, level: _level, ...rest } = event;
      this.logger[level](rest, msg);
      return;
    }
    this.logger[level](event);
  }
}

/**
 * pino's browser build gives {time, level, ...fields, msg} (and no time at all when the timestamp is 0); node's
 * pino writes level, time, fields, msg.
 */
function browserLine(o: Record<string, unknown>, timeMs: number): string {
  const { time: _time, level, ...rest } = o;
  return `${JSON.stringify({ level, time: timeMs, ...rest })}\n`;
}
