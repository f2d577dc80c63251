import { createRequire } from 'node:module';
import type pino from 'pino';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/sim/engine';
import { NdjsonSink } from '../../src/sim/trace-ndjson';

const require = createRequire(import.meta.url);
/** pino's browser build, which a browser bundle resolves `pino` to. */
const browserPino = require('pino/browser.js') as typeof pino;

function run(options?: { pino?: typeof pino }): string[] {
  const engine = new Engine({ seed: 1 });
  const lines: string[] = [];
  engine.trace.addSink(new NdjsonSink((line) => lines.push(line), 'all', options));
  engine.schedule(0, () => engine.trace.emit('host.state', { host: 'h', up: true }));
  engine.schedule(1_500, () => engine.trace.emit('log', { host: 'h', proc: 'p', level: 'warn', msg: 'lease "x" lost 100%' }));
  engine.schedule(2_500, () => engine.trace.emit('msg.send', { id: 1, from: 'a', to: 'b', type: 'MsgApp' }));
  engine.schedule(2_501, () => engine.trace.emit('run.start', { seed: '1', scenario: null, faults: [{ atUs: 1, fault: { kind: 'heal' } }] }));
  engine.schedule(3_000, () => engine.trace.emit('violation', { invariant: 'one-leader', message: 'two leaders' }));
  engine.schedule(3_001, () => engine.trace.emit('log', { host: 'h', proc: 'p', level: 'debug', msg: 'dbg' }));
  engine.runUntil(10_000);
  return lines;
}

describe('NdjsonSink', () => {
  it('writes one JSON line per event, stamped with simulated time in ms, with pino levels and no pid/hostname', () => {
    expect(run()).toEqual([
      '{"level":30,"time":0,"kind":"host.state","tUs":0,"host":"h","up":true}\n',
      '{"level":40,"time":1.5,"kind":"log","tUs":1500,"host":"h","proc":"p","msg":"lease \\"x\\" lost 100%"}\n',
      '{"level":30,"time":2.5,"kind":"msg.send","tUs":2500,"id":1,"from":"a","to":"b","type":"MsgApp"}\n',
      '{"level":30,"time":2.501,"kind":"run.start","tUs":2501,"seed":"1","scenario":null,"faults":[{"atUs":1,"fault":{"kind":"heal"}}]}\n',
      '{"level":50,"time":3,"kind":"violation","tUs":3000,"invariant":"one-leader","message":"two leaders"}\n',
      '{"level":20,"time":3.001,"kind":"log","tUs":3001,"host":"h","proc":"p","msg":"dbg"}\n',
    ]);
  });

  it("with pino's browser build (what a browser bundle gets), writes the very same lines", () => {
    expect(run({ pino: browserPino })).toEqual(run());
  });

  it('records only the kinds asked for', () => {
    const engine = new Engine({ seed: 1 });
    const lines: string[] = [];
    engine.trace.addSink(new NdjsonSink((line) => lines.push(line), ['fault']));
    engine.trace.emit('msg.send', { id: 1, from: 'a', to: 'b', type: 'x' });
    engine.trace.emit('fault', { action: 'heal', target: 'all', detail: 'heal all' });
    expect(lines.map((l) => JSON.parse(l).kind)).toEqual(['fault']);
  });
});
