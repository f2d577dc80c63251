// The clientv3 model: round robin over READY subchannels, reads retried on Unavailable, writes retried only when
// never sent, the caller's deadline, watches resumed after a broken stream and ended by "etcdserver: no leader".
import { describe, expect, it } from 'vitest';
import { Simulation } from '../../src/sim/simulation';
import { EtcdClient, type EtcdCallResult } from '../../src/client/etcd-client';
import { FakeEtcdCluster } from './fake-etcd';
import type { ProcessContext } from '../../src/sim/process';
import type { WatchResponse } from '../../src/raft/etcd-api';

function setup(members = 3) {
  const sim = new Simulation({ seed: 7 });
  sim.network.defaultLink = { ...sim.network.defaultLink, latency: { kind: 'constant', us: 250 } };
  const etcd = new FakeEtcdCluster();
  const hosts = Array.from({ length: members }, (_, i) => {
    const h = sim.addHost(`etcd-${i}`, { address: `10.0.0.1${i}` });
    h.addProcess(etcd.memberSpec());
    return h;
  });
  const clientHost = sim.addHost('api', { address: '10.0.0.21' });
  let client: EtcdClient | null = null;
  let ctx: ProcessContext | null = null;
  clientHost.addProcess({
    name: 'client',
    create(c) {
      ctx = c;
      client = new EtcdClient(c, { endpoints: hosts.map((h) => `https://${h.address}:2379`), name: 'test' });
      return {};
    },
  });
  return { sim, etcd, hosts, client: () => client!, ctx: () => ctx! };
}

function describeResult(r: EtcdCallResult<unknown>): string {
  return r.ok ? 'ok' : `${r.error.code}: ${r.error.message}`;
}

describe('EtcdClient', () => {
  it('connects to every endpoint and spreads RPCs round robin', () => {
    const { sim, etcd, client } = setup();
    sim.engine.schedule(100_000, () => {
      for (let i = 0; i < 6; i++) client().range({ key: '/a' }, {}, () => undefined);
    });
    sim.runUntil(200_000);
    expect(client().states).toEqual(['ready', 'ready', 'ready']);
    expect(etcd.counts.get('Range')).toBe(6);
  });

  it('with one member down, calls go to the others; with all down they wait until the deadline', () => {
    const { sim, hosts, client } = setup();
    const out: string[] = [];
    sim.engine.schedule(50_000, () => hosts[0]!.process('etcd').crash());
    sim.engine.schedule(100_000, () => {
      for (let i = 0; i < 4; i++) client().put({ key: `/k${i}`, value: 'v' }, { timeoutUs: 1_000_000 }, (r) => out.push(describeResult(r)));
    });
    sim.engine.schedule(200_000, () => {
      for (const h of hosts) h.process('etcd').crash();
    });
    sim.engine.schedule(300_000, () => client().range({ key: '/k0' }, { timeoutUs: 2_000_000 }, (r) => out.push(`${describeResult(r)} @${sim.engine.nowUs}`)));
    sim.runUntil(3_000_000);
    expect(client().states[0]).not.toBe('ready');
    expect(out).toEqual(['ok', 'ok', 'ok', 'ok', 'DeadlineExceeded: context deadline exceeded @2300000']);
  });

  it('a read is retried on Unavailable ("etcdserver: request timed out") but a write is not', () => {
    const { sim, etcd, client } = setup();
    etcd.requestTimeoutUs = 500_000;
    const out: string[] = [];
    sim.engine.schedule(100_000, () => etcd.setLeader(false));
    sim.engine.schedule(200_000, () => {
      client().put({ key: '/w', value: 'v' }, { timeoutUs: 5_000_000 }, (r) => out.push(`put ${describeResult(r)} @${sim.engine.nowUs}`));
      client().range({ key: '/w' }, { timeoutUs: 5_000_000 }, (r) => out.push(`range ${describeResult(r)} @${sim.engine.nowUs}`));
    });
    sim.engine.schedule(2_000_000, () => etcd.setLeader(true));
    sim.runUntil(6_000_000);
    // The write fails after the server's request timeout; the read keeps retrying and succeeds once a leader exists.
    expect(out[0]).toBe('put Unavailable: etcdserver: request timed out @700500');
    expect(out[1]).toMatch(/^range ok @20\d{5}$/);
    expect(etcd.counts.get('Range')! + 0).toBeGreaterThan(3);
  });

  it('a write in flight when its connection breaks is not retried (it may have been applied)', () => {
    const { sim, etcd, hosts, client } = setup();
    etcd.processingUs = 10_000;
    const out: string[] = [];
    sim.engine.schedule(100_000, () => {
      // Round robin: the first call goes to etcd-0.
      client().txn({ compare: [], success: [{ op: 'put', request: { key: '/t', value: '1' } }], failure: [] }, { timeoutUs: 5_000_000 }, (r) => out.push(describeResult(r)));
    });
    sim.engine.schedule(100_600, () => hosts[0]!.process('etcd').crash());
    sim.runUntil(1_000_000);
    expect(out).toEqual(['Unavailable: rpc error: code = Unavailable desc = error reading from server: EOF']);
  });

  it('a watch resumes from the last revision after its member dies, and ends with "etcdserver: no leader"', () => {
    const { sim, etcd, hosts, client } = setup();
    const events: string[] = [];
    let ended: string | null = null;
    sim.engine.schedule(100_000, () => {
      client().watch(
        { key: '/w/', rangeEnd: '/w0', requireLeader: true },
        (r: WatchResponse) => {
          for (const e of r.events) events.push(`${e.type} ${e.kv.key} ${e.kv.modRevision}`);
        },
        (err) => (ended = err === null ? 'ended' : err.message),
      );
    });
    const put = (key: string): void => {
      etcd.store.put({ key, value: 'x' }, (rev) => etcd.header(rev));
    };
    sim.engine.schedule(200_000, () => put('/w/a'));
    sim.engine.schedule(300_000, () => {
      // The watch's stream is on etcd-0 (the first READY subchannel): kill it, write while it reconnects.
      hosts[0]!.process('etcd').crash();
      put('/w/b');
    });
    sim.engine.schedule(400_000, () => put('/w/c'));
    sim.engine.schedule(500_000, () => etcd.setLeader(false));
    sim.runUntil(1_000_000);
    expect(events).toEqual(['PUT /w/a 2', 'PUT /w/b 3', 'PUT /w/c 4']);
    expect(ended).toBe('etcdserver: no leader');
  });
});
