import { describe, expect, it } from 'vitest';
import type { Socket } from '../../src/sim/network';
import type { ProcessContext } from '../../src/sim/process';
import { RpcChannel, serveRpc, type RpcChannelOptions, type RpcResult, type RpcServerRequest } from '../../src/sim/rpc';
import { MemorySink } from '../../src/sim/trace';
import { US_PER_MS, US_PER_S } from '../../src/sim/time';
import { addProc, newSim } from './helpers';

interface Echo {
  readonly text: string;
  /** Server-side delay before answering, µs. */
  readonly delayUs?: number;
  /** Stream this many pushes before the final reply. */
  readonly pushes?: number;
}

/** A client host and a server host whose `srv` process serves `echo` on port 2379. */
function setup(options: RpcChannelOptions = {}, seed = 1) {
  const sim = newSim(seed, US_PER_MS);
  const client = sim.addHost('client', { address: '10.0.0.1' });
  const server = sim.addHost('server', { address: '10.0.0.2' });
  const requests: RpcServerRequest[] = [];
  const serverSockets: Socket[] = [];
  let goAway: ((socket: Socket) => void) | null = null;
  const srv = addProc(server, 'srv', (ctx) => {
    const handle = serveRpc(
      ctx,
      2379,
      (request, respond) => {
        requests.push(request);
        const body = request.body as Echo;
        const answer = (): void => {
          for (let i = 0; i < (body.pushes ?? 0); i++) respond.push(`${body.text} #${i}`);
          respond.reply(`echo ${body.text}`);
        };
        if (body.delayUs) ctx.setTimer(body.delayUs, answer);
        else answer();
      },
      { onConnect: (socket) => serverSockets.push(socket) },
    );
    goAway = handle.goAway;
  });
  const cli = addProc(client, 'cli', () => ({}));
  const ctx = (): ProcessContext => cli.ctxs.at(-1)!;
  const channel = new RpcChannel(ctx(), '10.0.0.2', 2379, options);
  const results: string[] = [];
  const call = (body: Echo, timeoutUs: number | null = null, ch: RpcChannel = channel) =>
    ch.call<Echo, string>('Echo', body, timeoutUs, (r: RpcResult<string>) => results.push(`${sim.engine.nowUs} ${summary(r)}`));
  return { sim, client, server, srv, channel, requests, serverSockets, results, call, goAway: (s: Socket) => goAway!(s) };
}

function summary(r: RpcResult<string>): string {
  if (r.ok) return r.more ? `push ${r.body}` : `ok ${r.body}`;
  const f = r.failure;
  return `fail ${f.kind} ${'reason' in f ? f.reason : ''} sent=${f.sent}`.replace('  ', ' ');
}

describe('RpcChannel and serveRpc', () => {
  it('dials lazily, then multiplexes calls on one connection', () => {
    const t = setup();
    expect(t.channel.dials).toBe(0);
    t.call({ text: 'a', delayUs: 5 * US_PER_MS });
    t.call({ text: 'b' });
    expect(t.channel.inFlight).toBe(2);
    t.sim.runUntil(US_PER_S);
    // Open at 2 ms, requests arrive at 3 ms; b answers at once (4 ms), a after 5 ms (9 ms).
    expect(t.results).toEqual(['4000 ok echo b', '9000 ok echo a']);
    expect(t.channel.dials).toBe(1);
    expect(t.serverSockets).toHaveLength(1);
    expect(t.channel.connected).toBe(true);
    expect(t.channel.inFlight).toBe(0);
  });

  it('streams pushes before the final reply', () => {
    const t = setup();
    t.call({ text: 'w', pushes: 2 });
    t.sim.runUntil(US_PER_S);
    expect(t.results).toEqual(['4000 push w #0', '4000 push w #1', '4000 ok echo w']);
  });

  it('deadline: fails the call, says whether the request was sent, and tells the server', () => {
    const t = setup();
    t.call({ text: 'slow', delayUs: US_PER_S }, 100 * US_PER_MS);
    t.sim.runUntil(2 * US_PER_S);
    expect(t.results).toEqual(['100000 fail deadline sent=true']);
    expect(t.requests[0]!.cancelled).toBe(true);

    const u = setup();
    u.server.crash();
    u.call({ text: 'never sent' }, 500 * US_PER_MS);
    u.sim.runUntil(2 * US_PER_S);
    expect(u.results).toEqual(['500000 fail deadline sent=false']);
  });

  it('cancel: no callback, and the server sees the request cancelled', () => {
    const t = setup();
    const handle = t.call({ text: 'x', delayUs: US_PER_S });
    t.sim.runUntil(10 * US_PER_MS);
    handle.cancel();
    handle.cancel();
    t.sim.runUntil(2 * US_PER_S);
    expect(t.results).toEqual([]);
    expect(t.requests[0]!.cancelled).toBe(true);
  });

  it('connect failures: refused (no listener) and timeout (host down), never sent', () => {
    const t = setup({ connectTimeoutUs: 2 * US_PER_S });
    t.srv.process.crash();
    t.call({ text: 'a' });
    t.sim.runUntil(US_PER_S);
    t.server.crash();
    t.call({ text: 'b' });
    t.sim.runUntil(10 * US_PER_S);
    expect(t.results).toEqual(['2000 fail connect refused sent=false', `${US_PER_S + 2 * US_PER_S} fail connect timeout sent=false`]);
    expect(t.channel.dials).toBe(2);
  });

  it('connection failures: the server process dies with the call in flight (eof), sent', () => {
    const t = setup();
    t.call({ text: 'a', delayUs: US_PER_S });
    t.sim.runUntil(10 * US_PER_MS);
    t.srv.process.crash();
    t.sim.runUntil(US_PER_S);
    expect(t.results).toEqual(['11000 fail connection eof sent=true']);
    expect(t.channel.connected).toBe(false);
    // The next call dials again.
    t.srv.process.start();
    t.call({ text: 'b' });
    t.sim.runUntil(2 * US_PER_S);
    expect(t.results.at(-1)).toBe(`${US_PER_S + 4 * US_PER_MS} ok echo b`);
    expect(t.channel.dials).toBe(2);
  });

  it('GOAWAY: in-flight calls finish on the old connection, new calls dial a new one, and the old one is closed when drained', () => {
    const t = setup();
    t.call({ text: 'long', delayUs: 50 * US_PER_MS });
    t.sim.runUntil(10 * US_PER_MS);
    t.goAway(t.serverSockets[0]!);
    t.sim.runUntil(20 * US_PER_MS);
    expect(t.channel.connected).toBe(false);
    t.call({ text: 'new' });
    t.sim.runUntil(US_PER_S);
    expect(t.results).toEqual(['24000 ok echo new', '54000 ok echo long']);
    expect(t.channel.dials).toBe(2);
    expect(t.serverSockets).toHaveLength(2);
    // The drained connection was closed by the client: the server side saw it end.
    expect(t.serverSockets[0]!.isOpen).toBe(false);
    expect(t.serverSockets[1]!.isOpen).toBe(true);
  });

  it('GOAWAY then the old connection breaks: its in-flight calls fail at once', () => {
    const t = setup();
    t.call({ text: 'long', delayUs: 10 * US_PER_S });
    t.sim.runUntil(10 * US_PER_MS);
    t.goAway(t.serverSockets[0]!);
    t.sim.runUntil(20 * US_PER_MS);
    t.srv.process.crash();
    t.sim.runUntil(US_PER_S);
    expect(t.results).toEqual(['21000 fail connection eof sent=true']);
  });

  it('keepalive: an unanswered PING closes the connection (idle + timeout) and fails calls in flight', () => {
    const t = setup({ pingIdleUs: 30 * US_PER_S, pingTimeoutUs: 15 * US_PER_S });
    const trace = new MemorySink(['msg.send']);
    t.sim.engine.trace.addSink(trace);
    t.call({ text: 'hangs', delayUs: 1_000 * US_PER_S });
    t.sim.runUntil(10 * US_PER_MS);
    t.server.crash(); // silent: no FIN, no RST
    t.sim.runUntil(200 * US_PER_S);
    // Opened at 2 ms; last read then. PING at 30.002 s, unanswered, connection dropped 15 s later.
    expect(t.results).toEqual([`${45 * US_PER_S + 2 * US_PER_MS} fail connection keepalive-timeout sent=true`]);
    expect(trace.events.filter((e) => e.kind === 'msg.send' && e.type === 'PING')).toHaveLength(1);
  });

  it('keepalive: only what the client reads counts as activity (HTTP/2 ReadIdleTimeout, gRPC keepalive)', () => {
    const t = setup({ pingIdleUs: 30 * US_PER_S, pingTimeoutUs: 15 * US_PER_S });
    t.sim.runUntil(0);
    t.call({ text: 'first' });
    t.sim.runUntil(10 * US_PER_MS);
    t.srv.process.pause(); // the server answers nothing, not even PINGs
    // The client keeps writing every 5 s (calls without deadlines): writes are not reads.
    for (let i = 1; i < 20; i++) t.sim.engine.schedule(i * 5 * US_PER_S, () => t.call({ text: `w${i}` }));
    t.sim.runUntil(100 * US_PER_S);
    const failures = t.results.filter((r) => r.includes('keepalive-timeout'));
    expect(failures.length).toBeGreaterThan(0);
    // Last read at 4 ms: PING at 30.004 s, dropped at 45.004 s.
    expect(failures[0]!.split(' ')[0]).toBe(String(45 * US_PER_S + 4 * US_PER_MS));
  });

  it('keepalive: an answered PING keeps the connection; only one PING is outstanding at a time', () => {
    const t = setup({ pingIdleUs: 10 * US_PER_S, pingTimeoutUs: 25 * US_PER_S });
    const trace = new MemorySink(['msg.send']);
    t.sim.engine.trace.addSink(trace);
    t.call({ text: 'x' });
    t.sim.runUntil(100 * US_PER_S);
    expect(t.channel.connected).toBe(true);
    const pings = (): number => trace.events.filter((e) => e.kind === 'msg.send' && e.type === 'PING').length;
    expect(pings()).toBeGreaterThanOrEqual(8);
    // Now the server freezes: one PING goes out and is not answered; no second PING while it is outstanding.
    t.srv.process.pause();
    const before = pings();
    t.sim.runUntil(200 * US_PER_S);
    expect(pings() - before).toBe(1);
    expect(t.channel.connected).toBe(false);
  });

  it('connect() dials eagerly; onConnectionChange and onConnectFailed report what happened', () => {
    const t = setup({ connectTimeoutUs: US_PER_S });
    const events: string[] = [];
    t.channel.onConnectionChange = (open, remote) => events.push(`${t.sim.engine.nowUs} ${open ? 'up' : 'down'} ${remote}`);
    t.channel.onConnectFailed = (reason) => events.push(`${t.sim.engine.nowUs} failed ${reason}`);
    t.channel.connect();
    expect(t.channel.connecting).toBe(true);
    t.channel.connect(); // already dialling: nothing more
    t.sim.runUntil(10 * US_PER_MS);
    expect(t.channel.dials).toBe(1);
    t.srv.process.crash();
    t.sim.runUntil(20 * US_PER_MS);
    t.channel.connect(); // refused now
    t.sim.runUntil(30 * US_PER_MS);
    expect(events).toEqual(['2000 up 10.0.0.2:2379', '11000 down 10.0.0.2:2379', '22000 failed refused']);
    expect(t.results).toEqual([]);
  });
});
