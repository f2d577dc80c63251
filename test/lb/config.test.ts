// haproxy.cfg parsing and validation: defaults as HAProxy's, the kubeadm guide's config, and bad input rejected
// with HAProxy-style messages naming the file and line.
import { describe, expect, it } from 'vitest';
import { compileHaproxyConfig, kubeadmHaproxyCfg, parseHaproxyCfg, HaproxyConfigError, type HaproxyCfg } from '../../src/lb/config';

const hosts: Record<string, string> = { 'cp-0': '10.0.0.21', 'cp-1': '10.0.0.22', 'cp-2': '10.0.0.23' };
const resolve = (x: string): string | null => hosts[x] ?? (Object.values(hosts).includes(x) ? x : null);
const opts = { resolve, knownHosts: Object.keys(hosts) };

function errorsOf(cfg: HaproxyCfg | string): string[] {
  try {
    compileHaproxyConfig(cfg, opts);
  } catch (e) {
    if (e instanceof HaproxyConfigError) return [...e.messages];
    throw e;
  }
  return [];
}

const CFG = `
global
    log /dev/log local0
defaults
    mode tcp
    retries 3
    timeout connect 5s
frontend apiserver
    bind *:6443
    default_backend apiserver
backend apiserver
    balance roundrobin
    server cp-0 10.0.0.21:6443 check
    server cp-1 cp-1:6443 check inter 1s fall 2 rise 3 weight 2
    server cp-2 10.0.0.23:6443 check fastinter 500ms downinter 10s on-marked-down shutdown-sessions
`;

describe('haproxy config', () => {
  it('parses haproxy.cfg text with HAProxy defaults (inter 2s, rise 2, fall 3, weight 1, TCP check)', () => {
    const model = compileHaproxyConfig(CFG, opts);
    expect(model.bindPort).toBe(6443);
    expect(model.backend.checkKind).toBe('tcp');
    expect(model.backend.retries).toBe(3);
    expect(model.backend.redispatch).toBe(0);
    expect(model.backend.timeoutConnectUs).toBe(5_000_000);
    expect(model.backend.timeoutCheckUs).toBeNull();
    const [a, b, c] = model.backend.servers;
    expect(a).toMatchObject({ name: 'cp-0', address: '10.0.0.21', port: 6443, check: true, interUs: 2_000_000, rise: 2, fall: 3, weight: 1, fastinterUs: 0, downinterUs: 0 });
    expect(b).toMatchObject({ address: '10.0.0.22', interUs: 1_000_000, fall: 2, rise: 3, weight: 2 });
    expect(c).toMatchObject({ fastinterUs: 500_000, downinterUs: 10_000_000, onMarkedDownShutdownSessions: true });
  });

  it("the kubeadm guide's config: HTTPS GET /healthz expecting 200, redispatch, retries 1, timeouts", () => {
    const model = compileHaproxyConfig(kubeadmHaproxyCfg([{ name: 'cp-0', address: 'cp-0' }, { name: 'cp-1', address: 'cp-1' }]), opts);
    expect(model.backend).toMatchObject({
      checkKind: 'http',
      httpCheck: { method: 'GET', uri: '/healthz', expectStatus: [200], ssl: true },
      retries: 1,
      redispatch: -1,
      timeoutConnectUs: 5_000_000,
      timeoutServerUs: 35_000_000,
      timeoutCheckUs: 10_000_000,
      balance: 'roundrobin',
    });
    expect(model.timeoutClientUs).toBe(35_000_000);
    expect(model.backend.servers.map((s) => s.address)).toEqual(['10.0.0.21', '10.0.0.22']);
  });

  it('the section form and the text form are the same configuration', () => {
    expect(compileHaproxyConfig(parseHaproxyCfg(CFG), opts)).toEqual(compileHaproxyConfig(CFG, opts));
  });

  it('rejects fall 0 and rise 0 with HAProxy\'s message', () => {
    const errors = errorsOf(CFG.replace('fall 2', 'fall 0').replace('rise 3', 'rise 0'));
    expect(errors).toEqual(["parsing [haproxy.cfg:14] : 'server cp-1' : 'fall' has to be > 0.", "parsing [haproxy.cfg:14] : 'server cp-1' : 'rise' has to be > 0."]);
  });

  it('rejects an unknown keyword with a did-you-mean', () => {
    expect(errorsOf(CFG.replace('balance roundrobin', 'balanse roundrobin'))).toEqual([
      "parsing [haproxy.cfg:12] : unknown keyword 'balanse' in 'backend' section; did you mean 'balance' maybe ?",
    ]);
    expect(errorsOf(CFG.replace('check inter 1s', 'check intr 1s'))).toEqual([
      "parsing [haproxy.cfg:14] : 'server cp-1' : unknown keyword 'intr'; did you mean 'inter' maybe ?",
      // 'intr' was not taken as a keyword with an argument, so its value is read as a keyword too.
      "parsing [haproxy.cfg:14] : 'server cp-1' : unknown keyword '1s'.",
    ]);
    expect(errorsOf(CFG.replace('retries 3', 'option redispach'))).toEqual(["parsing [haproxy.cfg:6] : unknown option 'redispach'; did you mean 'redispatch' maybe ?"]);
  });

  it('rejects a backend server naming a host the simulation does not have', () => {
    expect(errorsOf(CFG.replace('10.0.0.23:6443', 'cp-9:6443'))).toEqual([
      "parsing [haproxy.cfg:15] : 'server cp-2' : could not resolve address 'cp-9': no simulated host has that name or address (simulated hosts: cp-0, cp-1, cp-2).",
    ]);
  });

  it('rejects a missing default_backend and a frontend without bind', () => {
    expect(errorsOf(CFG.replace('default_backend apiserver', 'default_backend api'))).toEqual(["Proxy 'apiserver': unable to find required default_backend: 'api'."]);
    expect(errorsOf(CFG.replace('    bind *:6443\n', ''))).toEqual(["parsing [haproxy.cfg:8] : frontend 'apiserver' has no 'bind' line."]);
  });

  it('rejects a bad timer and a bad weight', () => {
    expect(errorsOf(CFG.replace('inter 1s', 'inter 0'))).toEqual([
      "parsing [haproxy.cfg:14] : 'server cp-1' : timer underflow in argument <0> to <inter> of server cp-1, minimum non-null value is 1 ms.",
    ]);
    expect(errorsOf(CFG.replace('weight 2', 'weight 300'))).toEqual(["parsing [haproxy.cfg:14] : 'server cp-1' : weight of server cp-1 is not within 0 and 256 (300)."]);
  });
});
