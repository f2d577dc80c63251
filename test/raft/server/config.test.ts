import { describe, expect, it } from 'vitest';
import { EtcdConfigError, parseEtcdArgs, resolveEtcdConfig } from '../../../src/raft/server/config';
import { computeClusterId, computeMemberId, formatId } from '../../../src/raft/server/ids';

describe('etcd flags: defaults as embed.NewConfig', () => {
  it('a bare member is "default" at http://localhost:2380 with etcd\'s well-known IDs', () => {
    const cfg = resolveEtcdConfig({ flags: {} });
    expect(cfg.name).toBe('default');
    expect(cfg.dataDir).toBe('default.etcd');
    expect(cfg.tickMs).toBe(100);
    expect(cfg.electionMs).toBe(1000);
    expect(cfg.electionTicks).toBe(10);
    expect(cfg.heartbeatTicks).toBe(1);
    expect(cfg.preVote).toBe(true);
    expect(cfg.requestTimeoutUs).toBe(7_000_000);
    // `etcd` with no flags prints member 8e9e05c52164694d in cluster cdf818194e3a8c32.
    expect(cfg.self.idHex).toBe('8e9e05c52164694d');
    expect(cfg.clusterIdHex).toBe('cdf818194e3a8c32');
  });

  it('member IDs depend on peer URLs and the cluster token; IDs print without leading zeros', () => {
    const a = computeMemberId(['https://10.0.0.10:2380'], 'etcd-cluster');
    const b = computeMemberId(['https://10.0.0.10:2380'], 'other-token');
    expect(a).not.toBe(b);
    expect(computeMemberId(['u2', 'u1'], 't')).toBe(computeMemberId(['u1', 'u2'], 't'));
    expect(computeClusterId([a, b])).toBe(computeClusterId([b, a]));
    expect(formatId(0x0fn)).toBe('f');
  });

  it('the request timeout follows the election timeout (5 s + 2 x election)', () => {
    const cfg = resolveEtcdConfig({ flags: { 'election-timeout': 2500, 'heartbeat-interval': 250 } });
    expect(cfg.requestTimeoutUs).toBe(10_000_000);
    expect(cfg.electionTicks).toBe(10);
  });

  it('sorts members by ID and finds itself in --initial-cluster', () => {
    const cfg = resolveEtcdConfig({
      flags: {
        name: 'b',
        'initial-cluster': 'a=http://10.0.0.1:2380,b=http://10.0.0.2:2380,c=http://10.0.0.3:2380',
        'initial-advertise-peer-urls': 'http://10.0.0.2:2380',
      },
    });
    expect(cfg.members.map((m) => m.id)).toEqual([...cfg.members.map((m) => m.id)].sort((x, y) => (x < y ? -1 : 1)));
    expect(cfg.self.name).toBe('b');
    expect(cfg.self.peerAddress).toBe('10.0.0.2');
    expect(cfg.self.peerPort).toBe(2380);
  });
});

describe('etcd flag validation, with etcd\'s messages', () => {
  const bad = (flags: Parameters<typeof resolveEtcdConfig>[0]['flags']): string => {
    try {
      resolveEtcdConfig({ flags });
    } catch (err) {
      expect(err).toBeInstanceOf(EtcdConfigError);
      return (err as Error).message;
    }
    throw new Error('expected an EtcdConfigError');
  };

  it('election timeout at least 5 x heartbeat and at most 50000 ms', () => {
    expect(bad({ 'heartbeat-interval': 300 })).toBe('--election-timeout[1000ms] should be at least as 5 times as --heartbeat-interval[300ms]');
    expect(bad({ 'election-timeout': 60000 })).toBe('--election-timeout[60000ms] is too long, and should be set less than 50000ms');
    expect(bad({ 'heartbeat-interval': 0 })).toBe('--heartbeat-interval must be >0 (set to 0ms)');
  });

  it('the local name must be in the initial cluster, with matching advertised peer URLs', () => {
    expect(bad({ name: 'x', 'initial-cluster': 'a=http://10.0.0.1:2380' })).toBe('couldn\'t find local name "x" in the initial cluster configuration');
    expect(bad({ name: 'a', 'initial-cluster': 'a=http://10.0.0.1:2380', 'initial-advertise-peer-urls': 'http://10.0.0.9:2380' })).toBe(
      '--initial-cluster has a=http://10.0.0.1:2380 but missing from --initial-advertise-peer-urls=http://10.0.0.9:2380 (resolved urls: "http://10.0.0.9:2380" != "http://10.0.0.1:2380")',
    );
  });
});

describe('parseEtcdArgs', () => {
  it('reads etcd command lines', () => {
    expect(parseEtcdArgs(['--name=etcd-0', '--heartbeat-interval', '250', '--election-timeout=2500', '--pre-vote=false'])).toEqual({
      name: 'etcd-0',
      'heartbeat-interval': 250,
      'election-timeout': 2500,
      'pre-vote': false,
    });
    expect(() => parseEtcdArgs(['--bogus=1'])).toThrow('flag provided but not defined: -bogus');
    expect(() => parseEtcdArgs(['--heartbeat-interval=fast'])).toThrow('invalid value "fast" for flag -heartbeat-interval');
  });
});
