import { describe, expect, it } from 'vitest';
import { etcdctlProcessSpec, parseEtcdctlArgs, type EtcdctlResult } from '../../../src/raft/etcdctl/etcdctl';
import { startCluster, type TestCluster } from '../server/fixture';
import { expectGolden } from './golden';

const ENDPOINTS = '--endpoints=https://10.0.0.10:2379,https://10.0.0.11:2379,https://10.0.0.12:2379';

let runs = 0;
/** Runs etcdctl on the client host and the simulation until it has finished. */
function etcdctl(c: TestCluster, ...args: string[]): EtcdctlResult & { tookUs: number } {
  let result: EtcdctlResult | null = null;
  const startUs = c.sim.engine.nowUs;
  c.sim.host('client').addProcess(etcdctlProcessSpec(args, (r) => (result = r), `etcdctl-${runs++}`));
  for (let i = 0; i < 200 && result === null; i++) c.sim.runUntil(c.sim.engine.nowUs + 100_000);
  if (result === null) throw new Error(`etcdctl ${args.join(' ')} did not finish`);
  return { ...(result as EtcdctlResult), tookUs: c.sim.engine.nowUs - startUs };
}

function format(r: EtcdctlResult): string {
  return `--- stdout\n${r.stdout}--- stderr\n${r.stderr}--- exit ${r.exitCode}\n`;
}

describe('etcdctl against a healthy 3-member cluster (seed 1)', () => {
  const c = startCluster({ seed: 1 });
  c.sim.runUntil(3_000_000);

  it('endpoint status -w table: real columns, term 2, raft index 8 after bootstrap', () => {
    const r = etcdctl(c, 'endpoint', 'status', '-w', 'table', ENDPOINTS);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split('\n')[1]).toMatch(/^\| +ENDPOINT +\| +ID +\| +VERSION +\| +DB SIZE +\| +IS LEADER +\| +IS LEARNER +\| +RAFT TERM +\| +RAFT INDEX +\| +RAFT APPLIED INDEX +\| +ERRORS +\|$/);
    expect(r.stdout.match(/\| +true \|/g)).toHaveLength(1); // exactly one leader
    expectGolden('endpoint-status-table.txt', format(r));
  });

  it('endpoint status (simple)', () => {
    expectGolden('endpoint-status-simple.txt', format(etcdctl(c, 'endpoint', 'status', ENDPOINTS)));
  });

  it('member list -w table', () => {
    const r = etcdctl(c, 'member', 'list', '-w', 'table', ENDPOINTS);
    expect(r.exitCode).toBe(0);
    expectGolden('member-list-table.txt', format(r));
  });

  it('member list (simple)', () => {
    expectGolden('member-list-simple.txt', format(etcdctl(c, 'member', 'list', ENDPOINTS)));
  });

  it('endpoint health, plain and -w table', () => {
    const plain = etcdctl(c, 'endpoint', 'health', ENDPOINTS);
    expect(plain.exitCode).toBe(0);
    expect(plain.stdout).toMatch(/^https:\/\/10\.0\.0\.1[0-2]:2379 is healthy: successfully committed proposal: took = [0-9.]+ms$/m);
    expectGolden('endpoint-health-simple.txt', format(plain));
    expectGolden('endpoint-health-table.txt', format(etcdctl(c, 'endpoint', 'health', '-w', 'table', ENDPOINTS)));
  });

  it('with one member down: unhealthy on stderr, "Error: unhealthy cluster", exit 1, after the 5 s command timeout', () => {
    c.sim.host('etcd-1').crash();
    c.sim.runUntil(c.sim.engine.nowUs + 1_000_000);
    const health = etcdctl(c, 'endpoint', 'health', ENDPOINTS);
    expect(health.exitCode).toBe(1);
    expect(health.stderr).toBe('https://10.0.0.11:2379 is unhealthy: failed to commit proposal: context deadline exceeded\nError: unhealthy cluster\n');
    expect(health.tookUs).toBeGreaterThanOrEqual(5_000_000);
    expectGolden('endpoint-health-down-simple.txt', format(health));
    expectGolden('endpoint-health-down-table.txt', format(etcdctl(c, 'endpoint', 'health', '-w', 'table', ENDPOINTS)));
    const status = etcdctl(c, 'endpoint', 'status', '-w', 'table', ENDPOINTS);
    expect(status.exitCode).toBe(1);
    expect(status.stderr).toBe('Failed to get the status of endpoint https://10.0.0.11:2379 (context deadline exceeded)\n');
    expectGolden('endpoint-status-down-table.txt', format(status));
  });

  it('with quorum lost: status still answers (locally) and shows "etcdserver: no leader" once the leader is gone', () => {
    c.sim.host('etcd-2').crash();
    c.sim.runUntil(c.sim.engine.nowUs + 5_000_000);
    const status = etcdctl(c, 'endpoint', 'status', '-w', 'table', '--endpoints=https://10.0.0.10:2379');
    expect(status.stdout).toContain('etcdserver: no leader');
    expectGolden('endpoint-status-no-leader-table.txt', format(status));
  });
});

describe('etcdctl arguments', () => {
  it('parses global flags with their defaults', () => {
    const inv = parseEtcdctlArgs(['endpoint', 'status']);
    expect(inv.endpoints).toEqual(['127.0.0.1:2379']);
    expect(inv.commandTimeoutUs).toBe(5_000_000);
    expect(inv.dialTimeoutUs).toBe(2_000_000);
    expect(inv.writeOut).toBe('simple');
    const custom = parseEtcdctlArgs(['--command-timeout=2s', 'member', 'list', '--write-out', 'table', '--endpoints', 'a:1,b:2']);
    expect(custom).toMatchObject({ command: 'member list', commandTimeoutUs: 2_000_000, writeOut: 'table', endpoints: ['a:1', 'b:2'] });
  });

  it('rejects unknown commands and output formats as etcdctl does', () => {
    expect(() => parseEtcdctlArgs(['endpoint', 'frobnicate'])).toThrow('Error: unknown command "endpoint frobnicate" for "etcdctl"');
    expect(() => parseEtcdctlArgs(['endpoint', 'status', '-w', 'yaml'])).toThrow('Error: yaml not supported as output format');
  });
});
