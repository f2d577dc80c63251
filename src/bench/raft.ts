// Benchmark suite `raft`: simulated seconds per wall-clock second for etcd members (src/raft/server) on the engine.
//   - idle 3 members, idle 5 members: heartbeats only (a leader's MsgHeartbeat/Resp every 100 ms, ticks, stream
//     keep-alives), after the cluster has formed;
//   - 3 members under 100 writes/s: a client Puts a ~1 KB value every 10 ms through a member (followers forward);
//   - the same idle 3-member cluster with every Raft safety checker run after every event.
// Reported: simulated s per wall s (the median of the repetitions), with engine events per simulated second as
// context.
import { ETCD_CLIENT_PORT } from '../raft/etcd-api';
import { EtcdClusterObserver } from '../raft/server/observer';
import { etcdProcessSpec } from '../raft/server/process';
import { RpcChannel } from '../sim/rpc';
import { Simulation } from '../sim/simulation';
import { measureRate, type BenchOptions, type BenchResult, type BenchSuite } from './suite';

interface BenchCluster {
  readonly sim: Simulation;
  readonly observer: EtcdClusterObserver;
}

function buildCluster(members: number, seed: number, writesPerSecond: number, checkers: boolean): BenchCluster {
  const sim = new Simulation({ seed });
  const observer = new EtcdClusterObserver();
  const address = (i: number): string => `10.0.0.${10 + i}`;
  const initialCluster = Array.from({ length: members }, (_, i) => `etcd-${i}=https://${address(i)}:2380`).join(',');
  for (let i = 0; i < members; i++) {
    sim.addHost(`etcd-${i}`, { address: address(i) }).addProcess(
      etcdProcessSpec({
        observer,
        flags: {
          name: `etcd-${i}`,
          'initial-cluster': initialCluster,
          'initial-advertise-peer-urls': `https://${address(i)}:2380`,
          'advertise-client-urls': `https://${address(i)}:2379`,
        },
      }),
    );
  }
  if (checkers) sim.engine.addInvariant(observer.safetyInvariant());
  if (writesPerSecond > 0) {
    const value = 'x'.repeat(1024);
    const intervalUs = Math.round(1_000_000 / writesPerSecond);
    sim.addHost('client', { address: '10.0.1.1' }).addProcess({
      name: 'writer',
      create(ctx) {
        const channels = Array.from({ length: members }, (_, i) => new RpcChannel(ctx, address(i), ETCD_CLIENT_PORT));
        let n = 0;
        const write = (): void => {
          channels[n % members]!.call('Put', { key: `/registry/bench/${n % 1000}`, value }, 5_000_000, () => {});
          n++;
          ctx.setTimer(intervalUs, write);
        };
        ctx.setTimer(2_000_000, write);
        return {};
      },
    });
  }
  sim.start();
  sim.runUntil(3_000_000); // bootstrap, first election, publish
  return { sim, observer };
}

function measure(name: string, members: number, writesPerSecond: number, checkers: boolean, options: BenchOptions): BenchResult {
  const simUs = options.quick ? 60_000_000 : 600_000_000;
  let eventsPerSimS = 0;
  let seed = 1;
  const rate = measureRate(
    () => {
      const c = buildCluster(members, seed++, writesPerSecond, checkers);
      const startEvents = c.sim.engine.eventsRun;
      c.sim.runUntil(c.sim.engine.nowUs + simUs);
      if (c.sim.engine.violation) throw new Error(`raft bench: safety violation ${c.sim.engine.violation.message}`);
      eventsPerSimS = ((c.sim.engine.eventsRun - startEvents) * 1_000_000) / simUs;
      return simUs / 1_000_000;
    },
    options.quick ? 1 : 3,
  );
  return {
    name,
    value: rate.median,
    unit: 'sim s / s',
    samples: rate.samples,
    perCpuSecond: rate.perCpuSecond,
    note: `${Math.round(eventsPerSimS)} events per simulated s; ${simUs / 1_000_000} s simulated per repetition`,
  };
}

export const suite: BenchSuite = {
  name: 'raft',
  description: 'etcd members on the engine: simulated seconds per wall second, idle 3/5 members and 3 members under 100 writes/s',
  async run(options: BenchOptions): Promise<BenchResult[]> {
    // Warm the JIT on every path (idle, writes, checkers) first, so the first figure is not the slowest.
    for (const [writes, checkers] of [
      [100, true],
      [0, false],
    ] as const) {
      const c = buildCluster(3, 99, writes, checkers);
      c.sim.runUntil(c.sim.engine.nowUs + 60_000_000);
    }
    return [
      measure('idle, 3 members', 3, 0, false, options),
      measure('idle, 5 members', 5, 0, false, options),
      measure('100 writes/s, 3 members', 3, 100, false, options),
      measure('idle, 3 members, safety checkers on', 3, 0, true, options),
    ];
  },
};
