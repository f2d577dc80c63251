// kube-apiserver flags the simulation models, with their real names and defaults (kube-apiserver --help,
// k8s.io/apiserver pkg/server/options), resolved and validated once.
import { APISERVER_PORT } from './http';

export interface ApiserverConfig {
  /** --etcd-servers: the etcd client endpoints, e.g. `https://10.0.0.10:2379`. Required. */
  readonly etcdServers: readonly string[];
  /** --etcd-prefix: default `/registry`. */
  readonly etcdPrefix?: string;
  /** --secure-port: default 6443. */
  readonly securePort?: number;
  /** --request-timeout: default 60 s. The deadline of every non-long-running request (a smaller ?timeout= wins). */
  readonly requestTimeoutUs?: number;
  /** --min-request-timeout: default 1800 s; a watch without timeoutSeconds lasts a random time in [min, 2*min). */
  readonly minRequestTimeoutS?: number;
  /** --shutdown-delay-duration: default 0. After SIGTERM, /readyz fails at once; requests are served this long. */
  readonly shutdownDelayDurationUs?: number;
  /** --goaway-chance: default 0; at most 0.02. Probability of a GOAWAY after each non-watch request. */
  readonly goawayChance?: number;
  /** --etcd-healthcheck-timeout: default 2 s. */
  readonly etcdHealthcheckTimeoutUs?: number;
  /** --etcd-readycheck-timeout: default 2 s. */
  readonly etcdReadycheckTimeoutUs?: number;
  /** --livez-grace-period: default 0. */
  readonly livezGracePeriodUs?: number;
  /**
   * Simulation parameter (no flag): time the post-start hooks and informers take to finish once etcd answers.
   * Default 1 s. Until then /readyz (and /healthz for the hooks) fail with "not finished".
   */
  readonly startupUs?: number;
  /** Version reported by /version and in user agents. Default v1.31.0. */
  readonly version?: string;
}

export interface ResolvedApiserverConfig {
  readonly etcdServers: readonly string[];
  readonly etcdPrefix: string;
  readonly securePort: number;
  readonly requestTimeoutUs: number;
  readonly minRequestTimeoutS: number;
  readonly shutdownDelayDurationUs: number;
  readonly goawayChance: number;
  readonly etcdHealthcheckTimeoutUs: number;
  readonly etcdReadycheckTimeoutUs: number;
  readonly livezGracePeriodUs: number;
  readonly startupUs: number;
  readonly version: string;
}

export class ApiserverConfigError extends Error {
  constructor(message: string) {
    super(`kube-apiserver: ${message}`);
    this.name = 'ApiserverConfigError';
  }
}

const US_PER_S = 1_000_000;

/** Applies defaults and validates; throws ApiserverConfigError with the real flag name on bad input. */
export function resolveApiserverConfig(config: ApiserverConfig): ResolvedApiserverConfig {
  if (config.etcdServers.length === 0) throw new ApiserverConfigError('--etcd-servers must be specified');
  const goawayChance = config.goawayChance ?? 0;
  // options.ServerRunOptions.Validate: "--goaway-chance can not be less than 0 or greater than 0.02".
  if (!(goawayChance >= 0 && goawayChance <= 0.02)) throw new ApiserverConfigError('--goaway-chance can not be less than 0 or greater than 0.02');
  const requestTimeoutUs = config.requestTimeoutUs ?? 60 * US_PER_S;
  if (!(requestTimeoutUs > 0)) throw new ApiserverConfigError('--request-timeout must be positive');
  const shutdownDelayDurationUs = config.shutdownDelayDurationUs ?? 0;
  if (!(shutdownDelayDurationUs >= 0)) throw new ApiserverConfigError('--shutdown-delay-duration can not be negative value');
  const minRequestTimeoutS = config.minRequestTimeoutS ?? 1800;
  if (!(minRequestTimeoutS >= 0)) throw new ApiserverConfigError('--min-request-timeout can not be negative value');
  const livezGracePeriodUs = config.livezGracePeriodUs ?? 0;
  if (!(livezGracePeriodUs >= 0)) throw new ApiserverConfigError('--livez-grace-period can not be a negative value');
  const etcdHealthcheckTimeoutUs = config.etcdHealthcheckTimeoutUs ?? 2 * US_PER_S;
  if (!(etcdHealthcheckTimeoutUs > 0)) throw new ApiserverConfigError('--etcd-healthcheck-timeout should be a positive value');
  const etcdReadycheckTimeoutUs = config.etcdReadycheckTimeoutUs ?? 2 * US_PER_S;
  if (!(etcdReadycheckTimeoutUs > 0)) throw new ApiserverConfigError('--etcd-readycheck-timeout should be a positive value');
  const securePort = config.securePort ?? APISERVER_PORT;
  if (!(Number.isInteger(securePort) && securePort > 0 && securePort < 65536)) throw new ApiserverConfigError(`--secure-port ${securePort} must be between 1 and 65535, inclusive`);
  const startupUs = config.startupUs ?? US_PER_S;
  if (!(startupUs >= 0)) throw new ApiserverConfigError('startupUs must be >= 0');
  return {
    etcdServers: config.etcdServers,
    etcdPrefix: config.etcdPrefix ?? '/registry',
    securePort,
    requestTimeoutUs,
    minRequestTimeoutS,
    shutdownDelayDurationUs,
    goawayChance,
    etcdHealthcheckTimeoutUs,
    etcdReadycheckTimeoutUs,
    livezGracePeriodUs,
    startupUs,
    version: config.version ?? 'v1.31.0',
  };
}
