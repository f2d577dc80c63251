// TCP_USER_TIMEOUT (Socket.userTimeoutUs): unacknowledged data fails the connection after that long, as grpc-go
// arranges for its connections whenever keepalive is on; without it, only tcp_retries2 (924.6 s) gives up.
import { describe, expect, it } from 'vitest';
import { US_PER_MS, US_PER_S } from '../../src/sim/time';
import { RpcChannel } from '../../src/sim/rpc';
import type { ProcessContext } from '../../src/sim/process';
import { addProc, newSim, recordingHandlers } from './helpers';

function setup() {
  const sim = newSim(1, US_PER_MS);
  const client = sim.addHost('client', { address: '10.0.0.1' });
  const server = sim.addHost('server', { address: '10.0.0.2' });
  const log: string[] = [];
  const c = addProc(client, 'cli', () => ({}));
  addProc(server, 'srv', (ctx) => {
    ctx.listen(80, { onAccept: () => ({ onData: () => {}, onClose: () => {} }) });
  });
  return { sim, client, server, log, ctx: (): ProcessContext => c.ctxs[0]! };
}

describe('TCP_USER_TIMEOUT', () => {
  it('fails the connection once data stays unacknowledged for the user timeout (host powered off)', () => {
    const t = setup();
    const socket = t.ctx().connect('10.0.0.2', 80, recordingHandlers(t.sim, t.log, 'c'));
    socket.userTimeoutUs = 10 * US_PER_S;
    t.sim.runUntil(5 * US_PER_MS);
    t.server.crash();
    t.sim.runUntil(1 * US_PER_S);
    socket.send({ type: 'req' });
    t.sim.runUntil(60 * US_PER_S);
    expect(t.log).toEqual([`${2 * US_PER_MS} c open`, `${11 * US_PER_S} c close timeout`]);
  });

  it('is off by default: the same data is retransmitted for tcp_retries2', () => {
    const t = setup();
    const socket = t.ctx().connect('10.0.0.2', 80, recordingHandlers(t.sim, t.log, 'c'));
    t.sim.runUntil(5 * US_PER_MS);
    t.server.crash();
    socket.send({ type: 'req' });
    t.sim.runUntil(60 * US_PER_S);
    expect(t.log).toEqual([`${2 * US_PER_MS} c open`]);
  });

  it('does not fire while data gets through (a connection idle or answered stays up)', () => {
    const t = setup();
    const socket = t.ctx().connect('10.0.0.2', 80, recordingHandlers(t.sim, t.log, 'c'));
    socket.userTimeoutUs = 1 * US_PER_S;
    for (let i = 1; i <= 20; i++) t.sim.engine.schedule(i * 500 * US_PER_MS, () => socket.send({ type: 'req' }));
    t.sim.runUntil(30 * US_PER_S);
    expect(t.log).toEqual([`${2 * US_PER_MS} c open`]);
  });

  it('RpcChannel passes userTimeoutUs to its socket: a call to a dead server fails with the connection', () => {
    const t = setup();
    const channel = new RpcChannel(t.ctx(), '10.0.0.2', 80, { userTimeoutUs: 10 * US_PER_S });
    channel.connect();
    t.sim.runUntil(10 * US_PER_MS);
    t.server.crash();
    const results: string[] = [];
    channel.call('Get', {}, null, (r) => results.push(`${t.sim.engine.nowUs} ${r.ok ? 'ok' : r.failure.kind}`));
    t.sim.runUntil(60 * US_PER_S);
    expect(results).toEqual([`${10 * US_PER_MS + 10 * US_PER_S} connection`]);
  });
});
