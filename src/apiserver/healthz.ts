// /healthz, /livez and /readyz of the kube-apiserver (k8s.io/apiserver pkg/server/healthz/healthz.go and
// pkg/storage/storagebackend/factory/etcd3.go), with their real output:
//   pass: `ok` (200); with ?verbose: `[+]ping ok` ... `healthz check passed` (200);
//   fail: always the list, failed checks as `[-]etcd failed: reason withheld`, then `readyz check failed`, 500
//   (http.Error appends a newline); `?exclude=etcd` prints `[+]etcd excluded: ok`;
//   `/readyz/etcd` (one check): `ok` or `internal server error: <err>` (500).
// The etcd checks are the real ones: a linearizable Get of `<prefix>/health` with a 2 s timeout
// (--etcd-healthcheck-timeout, --etcd-readycheck-timeout), each through its own etcd client, rate-limited to one
// probe per timeout/2 (rate.NewLimiter burst 1): a rate-limited request returns the last probe's error (the one
// stored when the previous probe finished, so a probe still in flight is not waited for). Until a check's
// client has connected it fails with "etcd client connection not yet established". A health request waits for
// a probe (up to 2 s): that is why an LB's check of /healthz can take 2 s during a quorum loss.
import type { ProcessContext } from '../sim/process';
import type { EtcdClient } from '../client/etcd-client';
import type { HttpQuery } from './http';

export type HealthEndpoint = 'healthz' | 'livez' | 'readyz';

export interface HealthCheck {
  readonly name: string;
  /** Calls done with null when healthy, else the error text (logged, withheld from the response). */
  check(done: (error: string | null) => void): void;
}

/** A check whose result is a synchronous function of the server's state. */
export function namedCheck(name: string, fn: () => string | null): HealthCheck {
  return { name, check: (done) => done(fn()) };
}

export const PING_CHECK: HealthCheck = namedCheck('ping', () => null);
export const LOG_CHECK: HealthCheck = namedCheck('log', () => null);

/** The post-start hooks a v1.31 kube-apiserver registers, in registration order (names as /readyz?verbose prints them). */
export const POST_START_HOOKS: readonly string[] = [
  'poststarthook/start-kube-apiserver-admission-initializer',
  'poststarthook/generic-apiserver-start-informers',
  'poststarthook/priority-and-fairness-config-consumer',
  'poststarthook/priority-and-fairness-filter',
  'poststarthook/storage-object-count-tracker-hook',
  'poststarthook/start-apiextensions-informers',
  'poststarthook/start-apiextensions-controllers',
  'poststarthook/crd-informer-synced',
  'poststarthook/start-system-namespaces-controller',
  'poststarthook/start-cluster-authentication-info-controller',
  'poststarthook/start-kube-apiserver-identity-lease-controller',
  'poststarthook/start-kube-apiserver-identity-lease-garbage-collector',
  'poststarthook/start-legacy-token-tracking-controller',
  'poststarthook/start-service-ip-repair-controllers',
  'poststarthook/rbac/bootstrap-roles',
  'poststarthook/scheduling/bootstrap-system-priority-classes',
  'poststarthook/priority-and-fairness-config-producer',
  'poststarthook/bootstrap-controller',
  'poststarthook/aggregator-reload-proxy-client-cert',
  'poststarthook/start-kube-aggregator-informers',
  'poststarthook/apiservice-status-local-available-controller',
  'poststarthook/apiservice-status-remote-available-controller',
  'poststarthook/apiservice-registration-controller',
  'poststarthook/apiservice-discovery-controller',
  'poststarthook/kube-apiserver-autoregistration',
  'autoregister-completion',
  'poststarthook/apiservice-openapi-controller',
  'poststarthook/apiservice-openapiv3-controller',
];

export const ETCD_NOT_CONNECTED = 'etcd client connection not yet established';
const US_PER_S = 1_000_000;

/**
 * newETCD3Check: the `etcd` (healthz/livez/readyz) and `etcd-readiness` (readyz) checks, each with its own client.
 */
export class EtcdCheck implements HealthCheck {
  /** clientErr: set until the client first connects (polled every second, as the real prober creation loop). */
  private clientErr: string | null = ETCD_NOT_CONNECTED;
  private lastError: string | null = ETCD_NOT_CONNECTED;
  private lastErrorStartUs = -1;
  /** rate.Limiter(Every(timeout/2), 1): the time the bucket's single token is next available. */
  private tokenAtUs = -Infinity;
  /** Probes completed, for observation. */
  probes = 0;

  constructor(
    readonly name: string,
    private readonly ctx: ProcessContext,
    private readonly client: EtcdClient,
    private readonly timeoutUs: number,
    /** The key probed: path.Join("/", prefix, "health"). */
    private readonly healthKey: string,
  ) {
    const poll = (): void => {
      if (this.client.ready) {
        this.clientErr = null;
        return;
      }
      this.ctx.setTimer(US_PER_S, poll);
    };
    poll();
  }

  /** After shutdown the prober is closed. */
  shutDown(): void {
    this.clientErr = 'server is shutting down';
  }

  check(done: (error: string | null) => void): void {
    if (this.clientErr !== null) {
      done(this.clientErr);
      return;
    }
    const now = this.ctx.monoUs();
    if (now < this.tokenAtUs) {
      done(this.lastError);
      return;
    }
    this.tokenAtUs = now + this.timeoutUs / 2;
    const startUs = now;
    this.client.range({ key: this.healthKey }, { timeoutUs: this.timeoutUs }, (r) => {
      this.probes++;
      const error = r.ok ? null : `error getting data from etcd: ${r.error.message}`;
      if (startUs > this.lastErrorStartUs) {
        this.lastError = error;
        this.lastErrorStartUs = startUs;
      }
      done(error);
    });
  }
}

export interface HealthResult {
  readonly code: number;
  readonly text: string;
  /** Names of the failed checks with their (withheld) errors, for logs and traces. */
  readonly failed: ReadonlyArray<readonly [string, string]>;
}

/** handleRootHealth: runs the checks in order (each may wait for a probe) and renders the response. */
export function runHealthChecks(endpoint: HealthEndpoint, checks: readonly HealthCheck[], query: HttpQuery | null, done: (result: HealthResult) => void): void {
  const excludeList = query?.exclude;
  const excluded = excludeList === undefined || excludeList.length === 0 ? null : new Set(excludeList);
  // Per check: null (ok), 'excluded', or the error. The text is rendered only when it is shown (verbose or failed).
  const results: Array<string | null> = new Array(checks.length);
  let failed: Array<[string, string]> | null = null;
  let i = 0;
  const next = (): void => {
    while (i < checks.length) {
      const index = i++;
      const check = checks[index]!;
      if (excluded !== null && excluded.has(check.name)) {
        results[index] = 'excluded';
        continue;
      }
      let sync = true;
      let syncResult: string | null | undefined;
      check.check((error) => {
        if (sync) {
          syncResult = error;
          return;
        }
        record(index, error);
        next();
      });
      sync = false;
      if (syncResult === undefined) return; // waits for an asynchronous probe
      record(index, syncResult);
    }
    finish();
  };
  const record = (index: number, error: string | null): void => {
    results[index] = error === null ? null : `!${error}`;
    if (error !== null) (failed ??= []).push([checks[index]!.name, error]);
  };
  const finish = (): void => {
    if (failed === null && !query?.verbose) {
      done({ code: 200, text: 'ok', failed: [] });
      return;
    }
    let output = '';
    const matched = new Set<string>();
    for (let k = 0; k < checks.length; k++) {
      const name = checks[k]!.name;
      const r = results[k];
      if (r === 'excluded') {
        matched.add(name);
        output += `[+]${name} excluded: ok\n`;
      } else if (r === null || r === undefined) output += `[+]${name} ok\n`;
      else output += `[-]${name} failed: reason withheld\n`;
    }
    if (excluded !== null) {
      const unknown = [...excluded].filter((n) => !matched.has(n)).sort();
      if (unknown.length > 0) output += `warn: some health checks cannot be excluded: no matches for ${unknown.map((n) => JSON.stringify(n)).join(',')}\n`;
    }
    if (failed !== null) {
      done({ code: 500, text: `${output}${endpoint} check failed\n`, failed });
      return;
    }
    done({ code: 200, text: `${output}${endpoint} check passed\n`, failed: [] });
  };
  next();
}

/** `/readyz/<check>`: adaptCheckToHandler. */
export function runSingleCheck(check: HealthCheck, done: (result: HealthResult) => void): void {
  check.check((error) => {
    if (error === null) done({ code: 200, text: 'ok', failed: [] });
    else done({ code: 500, text: `internal server error: ${error}\n`, failed: [[check.name, error]] });
  });
}
