// The leader-election wiring kube-scheduler and kube-controller-manager share: component-base's
// LeaderElectionConfiguration (the --leader-elect-* flags with their defaults), resourcelock.NewFromKubeconfig (a
// clientset with Timeout max(1 s, RenewDeadline/2) and the "leader-election" user agent, on the process's one
// HTTP/2 transport), identity `<hostname>_<uuid>`, the events "<id> became leader" / "<id> stopped leading",
// and the acting-leader ground truth (src/lease/acting.ts) fed from the callbacks.
import { RestClient, type RestTransport } from '../client/rest-client';
import type { ProcessContext } from '../sim/process';
import { parseDurationUs } from '../sim/time';
import { ActingLeaders, type ActingHandle } from '../lease/acting';
import { HealthzAdaptor, newLeaderElector, type LeaderElector } from '../lease/elector';
import { processElectorEnv } from '../lease/env';
import { Context } from '../lease/go-context';
import { LeaseLock, leaderElectionClientTimeoutUs } from '../lease/lease-lock';
import { RestLeaseClient } from '../lease/rest-lease-client';
import { recordEvent } from './events';
import { injectedBugs } from '../check/bugs';

/** The Kubernetes version the components model (client-go v0.34). */
export const KUBERNETES_VERSION = 'v1.34.0';

/** component-base LeaderElectionConfiguration, as the --leader-elect-* flags set it. */
export interface LeaderElectionConfiguration {
  /** --leader-elect (default true). */
  readonly leaderElect: boolean;
  /** --leader-elect-lease-duration (default 15s). */
  readonly leaseDurationUs: number;
  /** --leader-elect-renew-deadline (default 10s). */
  readonly renewDeadlineUs: number;
  /** --leader-elect-retry-period (default 2s). */
  readonly retryPeriodUs: number;
  /** --leader-elect-resource-lock (default leases; the only lock since v1.24). */
  readonly resourceLock: 'leases';
  /** --leader-elect-resource-name (default the component's name). */
  readonly resourceName: string;
  /** --leader-elect-resource-namespace (default kube-system). */
  readonly resourceNamespace: string;
}

export function defaultLeaderElection(resourceName: string): LeaderElectionConfiguration {
  return {
    leaderElect: true,
    leaseDurationUs: 15_000_000,
    renewDeadlineUs: 10_000_000,
    retryPeriodUs: 2_000_000,
    resourceLock: 'leases',
    resourceName,
    resourceNamespace: 'kube-system',
  };
}

export class ComponentConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ComponentConfigError';
  }
}

export type FlagValue = string | number | boolean;

/**
 * Reads the --leader-elect-* flags (scenario syntax: Go durations as strings, e.g. `'15s'`) over the defaults.
 * Unknown --leader-elect-* flags and malformed values are ComponentConfigErrors naming the flag.
 */
export function leaderElectionFromFlags(component: string, flags: Readonly<Record<string, FlagValue>>, resourceName: string): LeaderElectionConfiguration {
  const base = defaultLeaderElection(resourceName);
  const out: { -readonly [K in keyof LeaderElectionConfiguration]: LeaderElectionConfiguration[K] } = { ...base };
  for (const [name, value] of Object.entries(flags)) {
    if (!name.startsWith('--leader-elect')) continue;
    const where = `${component} ${name}`;
    switch (name) {
      case '--leader-elect':
        if (typeof value !== 'boolean' && value !== 'true' && value !== 'false') throw new ComponentConfigError(`${where}: expected true or false, got ${JSON.stringify(value)}`);
        out.leaderElect = value === true || value === 'true';
        break;
      case '--leader-elect-lease-duration':
        out.leaseDurationUs = durationFlag(where, value);
        break;
      case '--leader-elect-renew-deadline':
        out.renewDeadlineUs = durationFlag(where, value);
        break;
      case '--leader-elect-retry-period':
        out.retryPeriodUs = durationFlag(where, value);
        break;
      case '--leader-elect-resource-lock':
        if (value !== 'leases') throw new ComponentConfigError(`${where}: only "leases" is supported (endpoints and configmaps locks were removed in v1.24), got ${JSON.stringify(value)}`);
        out.resourceLock = 'leases';
        break;
      case '--leader-elect-resource-name':
        out.resourceName = stringFlag(where, value);
        break;
      case '--leader-elect-resource-namespace':
        out.resourceNamespace = stringFlag(where, value);
        break;
      default:
        throw new ComponentConfigError(`${component}: unknown flag ${name}`);
    }
  }
  return out;
}

function durationFlag(where: string, value: FlagValue): number {
  if (typeof value !== 'string') throw new ComponentConfigError(`${where}: expected a duration like 15s, got ${JSON.stringify(value)}`);
  try {
    return parseDurationUs(value);
  } catch {
    throw new ComponentConfigError(`${where}: invalid duration ${JSON.stringify(value)}: expected a duration like 15s`);
  }
}

function stringFlag(where: string, value: FlagValue): string {
  if (typeof value !== 'string' || value === '') throw new ComponentConfigError(`${where}: expected a non-empty name, got ${JSON.stringify(value)}`);
  return value;
}

/** The kubeconfig's `server:`. */
export interface KubeconfigServer {
  readonly address: string;
  readonly port?: number;
}

export interface ElectedComponentOptions {
  readonly ctx: ProcessContext;
  /** The process's shared HTTP/2 transport. */
  readonly transport: RestTransport;
  /** `kube-scheduler`, `kube-controller-manager`: user agents and logs. */
  readonly component: string;
  readonly config: LeaderElectionConfiguration;
  readonly identity: string;
  readonly releaseOnCancel: boolean;
  /** LeaderElectionConfig.Name (the health check's message). */
  readonly name: string;
  /** klog -v. */
  readonly verbosity: number;
  /** The component's run context (the signal context for the scheduler; never done for the controller-manager). */
  readonly runCtx: Context;
  /** Starts the leader-only work; its context is done when it must stop. */
  readonly onStartedLeading: (leadingCtx: Context, acting: ActingHandle) => void;
  readonly onStoppedLeading: () => void;
  readonly onNewLeader?: (identity: string) => void;
}

/** What the component gets back. */
export interface ElectedComponent {
  readonly elector: LeaderElector;
  readonly healthz: HealthzAdaptor;
  readonly lock: LeaseLock;
}

/**
 * NewFromKubeconfig + RunOrDie. Throws the client-go validation error (LeaderElectionConfigError) if the
 * durations are inconsistent; the caller turns it into the component's exit.
 */
export function runLeaderElection(options: ElectedComponentOptions): ElectedComponent {
  const { ctx, config } = options;
  const client = new RestClient(options.transport, {
    timeoutUs: leaderElectionClientTimeoutUs(config.renewDeadlineUs),
    userAgent: `${options.component}/${KUBERNETES_VERSION} (linux/amd64) kubernetes/${COMMIT}/leader-election`,
    qps: options.component === 'kube-scheduler' ? 50 : 20,
    burst: options.component === 'kube-scheduler' ? 100 : 30,
  });
  const lease = `${config.resourceNamespace}/${config.resourceName}`;
  const lock = new LeaseLock({
    namespace: config.resourceNamespace,
    name: config.resourceName,
    identity: options.identity,
    client: new RestLeaseClient(client),
    eventRecorder: (object, type, reason, message) => recordEvent(ctx, options.component, `Lease/${object.metadata.namespace}/${object.metadata.name}`, type, reason, message),
  });
  const healthz = new HealthzAdaptor(20_000_000);
  const recorder = ActingLeaders.of(ctx.host.engine);
  const elector = newLeaderElector(
    {
      lock,
      leaseDurationUs: config.leaseDurationUs,
      renewDeadlineUs: config.renewDeadlineUs,
      retryPeriodUs: config.retryPeriodUs,
      watchDog: healthz,
      releaseOnCancel: options.releaseOnCancel,
      name: options.name,
      observer: (phase, detail) => {
        recorder.notePhase(lease, options.identity, phase);
        const trace = ctx.host.engine.trace;
        if (trace.wants('lease.elector')) trace.emit('lease.elector', { lease, identity: options.identity, host: ctx.host.name, proc: ctx.process.name, phase, detail });
      },
      // TEST ONLY: bugs injected by check's tests (src/check/bugs.ts); none in normal runs.
      ...(injectedBugs(ctx.host.engine).elector !== undefined ? { bugs: injectedBugs(ctx.host.engine).elector! } : {}),
      callbacks: {
        onStartedLeading: (leadingCtx) => {
          const acting = recorder.start(lease, options.identity, ctx);
          leadingCtx.onDone(() => acting.stop(options.runCtx.done ? 'requested to terminate' : 'stopped leading (renew failed)'));
          options.onStartedLeading(leadingCtx, acting);
        },
        onStoppedLeading: options.onStoppedLeading,
        onNewLeader: options.onNewLeader ?? null,
      },
    },
    processElectorEnv(ctx, options.verbosity),
  );
  healthz.setLeaderElection(elector);
  elector.run(options.runCtx);
  return { elector, healthz, lock };
}

/** The git commit in user agents (not modelled). */
export const COMMIT = '0000000';

/** `<hostname>_<uuid>`: uuid.NewUUID() from the process's own random stream (a new one at every start). */
export function leaderIdentity(ctx: ProcessContext): string {
  return `${ctx.host.name}_${ctx.rng.uuid()}`;
}

/** kubeadm's scheduler.conf / controller-manager.conf point at the local apiserver: https://<advertise-address>:6443. */
export function localApiserver(ctx: ProcessContext): KubeconfigServer {
  return { address: ctx.host.address, port: 6443 };
}

/** A fresh run context (never done unless the component cancels it). */
export function backgroundContext(): Context {
  return Context.background().withCancel();
}
