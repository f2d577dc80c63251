// TCP-like connections of src/sim/network.ts: handshake, FIFO delivery, retransmission, and the way they end
// (refused / reset / eof / timeout), as the header comment of network.ts describes.
import { describe, expect, it } from 'vitest';
import type { Host } from '../../src/sim/host';
import type { ConnHandlers, Socket } from '../../src/sim/network';
import type { Process, ProcessContext } from '../../src/sim/process';
import type { Simulation } from '../../src/sim/simulation';
import { US_PER_MS, US_PER_S } from '../../src/sim/time';
import { addProc, newSim, recordingHandlers, type TestMessage } from './helpers';

interface Setup {
  sim: Simulation;
  client: Host;
  server: Host;
  log: string[];
  clientProc: Process;
  serverProc: Process;
  /** The client's current context. */
  cctx(): ProcessContext;
  /** Server-side sockets, in accept order. */
  accepted: Socket[];
  /** Opens a connection from the client to server:port (default 80), recording on `log` as 'c'. */
  dial(port?: number, connectTimeoutUs?: number, address?: string): Socket;
}

/** A client host (10.0.0.1) and a server host (10.0.0.2) whose `srv` process accepts on port 80 and records. */
function setup(seed = 1, latencyUs = US_PER_MS, onAccept?: (socket: Socket, sim: Simulation) => void): Setup {
  const sim = newSim(seed, latencyUs);
  const client = sim.addHost('client', { address: '10.0.0.1' });
  const server = sim.addHost('server', { address: '10.0.0.2' });
  const log: string[] = [];
  const accepted: Socket[] = [];
  const c = addProc(client, 'cli', () => ({}));
  const s = addProc(server, 'srv', (ctx) => {
    ctx.listen(80, {
      onAccept(socket) {
        accepted.push(socket);
        log.push(`${sim.engine.nowUs} s accept`);
        onAccept?.(socket, sim);
        return recordingHandlers(sim, log, 's');
      },
    });
  });
  return {
    sim,
    client,
    server,
    log,
    clientProc: c.process,
    serverProc: s.process,
    cctx: () => c.ctxs.at(-1)!,
    accepted,
    dial: (port = 80, connectTimeoutUs?: number, address = '10.0.0.2') =>
      c.ctxs.at(-1)!.connect(address, port, recordingHandlers(sim, log, 'c'), connectTimeoutUs),
  };
}

const msg = (text: string): TestMessage => ({ type: 'test', text });

describe('connections: handshake and data', () => {
  it('connects in one round trip, accepts on the server, and carries data both ways', () => {
    const t = setup();
    const socket = t.dial();
    t.sim.runUntil(5 * US_PER_MS);
    expect(socket.isOpen).toBe(true);
    socket.send(msg('request'));
    t.sim.runUntil(10 * US_PER_MS);
    t.accepted[0]!.send(msg('response'));
    t.sim.runUntil(20 * US_PER_MS);
    // SYN 0->1 ms, SYN-ACK 1->2 ms (client open), ACK 2->3 ms (server accepts).
    expect(t.log).toEqual(['2000 c open', '3000 s accept', '6000 s data request', '11000 c data response']);
    expect(t.accepted[0]!.remote).toEqual(socket.local);
    expect(socket.local.port).toBeGreaterThanOrEqual(32768);
  });

  it('data sent right after open arrives after the accept, and a server greeting never overtakes the handshake', () => {
    // Random latencies: any reordering between handshake segments and data would show up over many seeds.
    for (let seed = 1; seed <= 50; seed++) {
      const t = setup(seed, US_PER_MS, (socket) => socket.send(msg('greeting')));
      t.sim.network.defaultLink = { ...t.sim.network.defaultLink, latency: { kind: 'uniform', minUs: 100, maxUs: 5_000 } };
      const socket = t.dial();
      const handlers = socket.handlers!;
      socket.handlers = { ...handlers, onOpen: () => (handlers.onOpen?.(), socket.send(msg('hello'))) };
      t.sim.runUntil(100 * US_PER_MS);
      const kinds = t.log.map((l) => l.split(' ').slice(1).join(' '));
      expect([...kinds].sort()).toEqual(['c data greeting', 'c open', 's accept', 's data hello']);
      const at = (k: string): number => kinds.indexOf(k);
      // Each direction is in order; the two directions are independent of each other.
      expect(at('c open')).toBeLessThan(at('s accept'));
      expect(at('s accept')).toBeLessThan(at('s data hello'));
      expect(at('c open')).toBeLessThan(at('c data greeting'));
    }
  });

  it('delivers in order under random latency and loss (retransmission)', () => {
    const t = setup(3);
    t.sim.network.setLink({ from: '*', to: '*' }, { latency: { kind: 'lognormal', medianUs: 500, sigma: 1, floorUs: 50 }, lossRate: 0.2 });
    const socket = t.dial();
    t.sim.runUntil(10 * US_PER_S);
    expect(socket.isOpen).toBe(true);
    for (let i = 0; i < 300; i++) t.sim.engine.schedule(i * 100, () => socket.send(msg(`m${i}`)));
    t.sim.runUntil(100 * US_PER_S);
    const data = t.log.filter((l) => l.includes('s data')).map((l) => l.split(' ').at(-1));
    expect(data).toEqual(Array.from({ length: 300 }, (_, i) => `m${i}`));
    expect(t.sim.network.stats.retransmissions).toBeGreaterThan(0);
  });

  it('a paused server completes the handshake in the kernel and handles the connection on resume', () => {
    const t = setup();
    t.serverProc.pause();
    const socket = t.dial();
    t.sim.runUntil(5 * US_PER_MS);
    socket.send(msg('early'));
    t.sim.runUntil(50 * US_PER_MS);
    expect(socket.isOpen).toBe(true);
    expect(t.log).toEqual(['2000 c open']);
    t.serverProc.resume();
    t.sim.runUntil(51 * US_PER_MS);
    expect(t.log).toEqual(['2000 c open', '50000 s accept', '50000 s data early']);
  });
});

describe('connections: how they fail', () => {
  it('refused: the host is up but nothing listens on the port', () => {
    const t = setup();
    t.dial(81);
    t.sim.runUntil(US_PER_S);
    expect(t.log).toEqual(['2000 c close refused']);
  });

  it('refused once the listening process died (its listener went with it)', () => {
    const t = setup();
    t.serverProc.crash();
    t.dial();
    t.sim.runUntil(US_PER_S);
    expect(t.log).toEqual(['2000 c close refused']);
  });

  it('timeout: a down host never answers; the SYN is retried 6 times (127 s, Linux tcp_syn_retries)', () => {
    const t = setup();
    t.server.crash();
    t.dial();
    t.sim.runUntil(126 * US_PER_S);
    expect(t.log).toEqual([]);
    t.sim.runUntil(200 * US_PER_S);
    expect(t.log).toEqual([`${127 * US_PER_S} c close timeout`]);
  });

  it('timeout: an unknown address behaves like a host that never answers; the caller connect timeout fires first', () => {
    const t = setup();
    t.dial(80, 3 * US_PER_S, '10.0.0.99');
    t.sim.runUntil(200 * US_PER_S);
    expect(t.log).toEqual([`${3 * US_PER_S} c close timeout`]);
  });

  it('a SYN lost to a cut is retransmitted after 1 s and connects once the path heals', () => {
    const t = setup();
    t.sim.network.cut(t.client, t.server);
    t.sim.engine.schedule(500 * US_PER_MS, () => t.sim.network.heal());
    t.dial();
    t.sim.runUntil(5 * US_PER_S);
    expect(t.log).toEqual([`${US_PER_S + 2 * US_PER_MS} c open`, `${US_PER_S + 3 * US_PER_MS} s accept`]);
  });

  it('a connect timeout while the SYN-ACK is lost leaves no connection accepted on the server', () => {
    const t = setup();
    t.sim.network.cut(t.server, t.client);
    t.dial(80, 500 * US_PER_MS);
    t.sim.engine.schedule(700 * US_PER_MS, () => t.sim.network.heal());
    t.sim.runUntil(10 * US_PER_S);
    expect(t.log).toEqual([`${500 * US_PER_MS} c close timeout`]);
    expect(t.accepted).toEqual([]);
  });

  it('eof: the peer process exits or crashes on a live host (its kernel sends FIN after the queued data)', () => {
    const t = setup();
    t.dial();
    t.sim.runUntil(5 * US_PER_MS);
    t.accepted[0]!.send(msg('last words'));
    t.serverProc.crash();
    t.sim.runUntil(10 * US_PER_MS);
    expect(t.log.slice(2)).toEqual(['6000 c data last words', '6000 c close eof']);
  });

  it('eof after close(): queued data first, no callback on the closing side', () => {
    const t = setup();
    const socket = t.dial();
    t.sim.runUntil(5 * US_PER_MS);
    socket.send(msg('bye'));
    socket.close();
    expect(socket.send(msg('after close'))).toBe(false);
    t.sim.runUntil(10 * US_PER_MS);
    expect(t.log.slice(2)).toEqual(['6000 s data bye', '6000 s close eof']);
  });

  it('reset: the peer aborts (RST) after the data it already sent', () => {
    const t = setup();
    const socket = t.dial();
    t.sim.runUntil(5 * US_PER_MS);
    t.accepted[0]!.send(msg('partial'));
    t.accepted[0]!.reset();
    socket.send(msg('too late'));
    t.sim.runUntil(10 * US_PER_MS);
    expect(t.log.slice(2)).toEqual(['6000 c data partial', '6000 c close reset']);
  });

  it('reset() discards data still waiting for retransmission', () => {
    const t = setup();
    const socket = t.dial();
    t.sim.runUntil(5 * US_PER_MS);
    t.sim.network.cut(t.client, t.server);
    socket.send(msg('stalled'));
    socket.reset();
    t.sim.engine.schedule(US_PER_MS, () => t.sim.network.heal());
    t.sim.runUntil(10 * US_PER_S);
    expect(t.log.slice(2)).toEqual([]);
    expect(t.accepted[0]!.isOpen).toBe(true); // the RST was lost to the cut: the server never learns
  });

  it('reset: data for a socket of a host that crashed and rebooted meets RST', () => {
    const t = setup();
    const socket = t.dial();
    t.sim.runUntil(5 * US_PER_MS);
    t.server.crash();
    t.sim.runUntil(US_PER_S);
    expect(t.log.slice(2)).toEqual([]); // a crashed host sends nothing: no FIN
    t.server.boot();
    socket.send(msg('hello?'));
    t.sim.runUntil(2 * US_PER_S);
    expect(t.log.slice(2)).toEqual([`${US_PER_S + 2 * US_PER_MS} c close reset`]);
  });

  it('data in flight when the peer host crashes is retransmitted, and meets RST once the host is back', () => {
    const t = setup();
    const socket = t.dial();
    t.sim.runUntil(5 * US_PER_MS);
    socket.send(msg('request')); // on the wire until 6 ms
    t.sim.engine.schedule(US_PER_MS / 2, () => t.server.crash());
    t.sim.engine.schedule(3 * US_PER_S, () => t.server.boot());
    t.sim.runUntil(20 * US_PER_S);
    // Retransmissions at +0.2, +0.6, +1.4, +3.0 s (RTO doubling from 200 ms); the one at 3.006 s meets RST.
    expect(t.log.slice(2)).toEqual([`${3_006_000 + 2 * US_PER_MS} c close reset`]);
  });

  it('data stalled by a cut is delivered in order after the heal, at the next retransmission', () => {
    const t = setup();
    const socket = t.dial();
    t.sim.runUntil(5 * US_PER_MS);
    t.sim.network.cut(t.client, t.server);
    for (const text of ['a', 'b', 'c']) socket.send(msg(text));
    t.sim.engine.schedule(5 * US_PER_S, () => t.sim.network.heal());
    t.sim.runUntil(20 * US_PER_S);
    // Sent at 5 ms; retransmissions at +0.2, +0.6, +1.4, +3.0, +6.2 s; the last one gets through.
    const at = 5 * US_PER_MS + 6_200_000 + US_PER_MS;
    expect(t.log.slice(2)).toEqual([`${at} s data a`, `${at} s data b`, `${at} s data c`]);
    expect(t.sim.network.stats.retransmissions).toBe(5);
  });

  it('timeout: retransmission gives up after 15 retries (924.6 s, Linux tcp_retries2)', () => {
    const t = setup();
    const socket = t.dial();
    t.sim.runUntil(5 * US_PER_MS);
    t.sim.network.cut(t.client, t.server);
    socket.send(msg('into the void'));
    t.sim.runUntil(900 * US_PER_S);
    expect(t.log.slice(2)).toEqual([]);
    t.sim.runUntil(2_000 * US_PER_S);
    expect(t.log.slice(2)).toEqual([`${5 * US_PER_MS + 924_600_000} c close timeout`]);
  });

  it('a connection to a floating address (VIP) that moved meets RST from the new holder', () => {
    const t = setup();
    const other = t.sim.addHost('other', { address: '10.0.0.3' });
    t.sim.network.assignAddress('10.0.0.100', t.server);
    const socket = t.dial(80, undefined, '10.0.0.100');
    t.sim.runUntil(5 * US_PER_MS);
    socket.send(msg('to the first holder'));
    t.sim.runUntil(10 * US_PER_MS);
    t.sim.network.assignAddress('10.0.0.100', other);
    socket.send(msg('to the new holder'));
    t.sim.runUntil(20 * US_PER_MS);
    expect(t.log.slice(2)).toEqual(['6000 s data to the first holder', '12000 c close reset']);
  });

  it('a stale incarnation cannot open connections', () => {
    const t = setup();
    const stale = t.cctx();
    t.clientProc.crash();
    t.clientProc.start();
    const handlers: ConnHandlers = recordingHandlers(t.sim, t.log, 'stale');
    const socket = stale.connect('10.0.0.2', 80, handlers);
    t.sim.runUntil(US_PER_S);
    expect(socket.isOpen).toBe(false);
    expect(t.accepted).toEqual([]);
    expect(t.log).toEqual([]);
  });

  it('sockets of a crashed client host vanish silently; the server notices nothing until it sends', () => {
    const t = setup();
    t.dial();
    t.sim.runUntil(5 * US_PER_MS);
    t.client.crash();
    t.sim.runUntil(US_PER_S);
    expect(t.log.slice(2)).toEqual([]);
    t.client.boot();
    t.accepted[0]!.send(msg('anyone?'));
    t.sim.runUntil(2 * US_PER_S);
    expect(t.log.slice(2)).toEqual([`${US_PER_S + 2 * US_PER_MS} s close reset`]);
  });
});
