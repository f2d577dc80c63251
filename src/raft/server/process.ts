// The etcd member as a simulated process: `host.addProcess(etcdProcessSpec({ flags: {...}, observer }))`.
// The spec validates the configuration when it is built (bad flags fail here with etcd's messages, not at start)
// and creates a fresh EtcdServer at every start of the process; the WAL on the host's disk carries the member
// across restarts.
import type { ProcessSpec } from '../../sim/process';
import { resolveEtcdConfig, type EtcdMemberOptions, type ResolvedEtcdConfig } from './config';
import { serveClientApi } from './client-api';
import { EtcdServer } from './etcd-server';
import type { EtcdClusterObserver } from './observer';

export interface EtcdProcessOptions extends EtcdMemberOptions {
  /** Registers every incarnation (for checkers, reports, tests). */
  readonly observer?: EtcdClusterObserver;
  /** The process name on its host. Default "etcd". */
  readonly processName?: string;
  /** Start when the host boots. Default true. */
  readonly autostart?: boolean;
}

export interface EtcdProcessSpec extends ProcessSpec {
  readonly config: ResolvedEtcdConfig;
}

/** A ProcessSpec running an etcd member. Throws EtcdConfigError for an invalid configuration. */
export function etcdProcessSpec(options: EtcdProcessOptions): EtcdProcessSpec {
  const config = resolveEtcdConfig(options);
  const observer = options.observer ?? null;
  return {
    name: options.processName ?? 'etcd',
    autostart: options.autostart ?? true,
    config,
    create(ctx) {
      const server = new EtcdServer(ctx, config, observer);
      serveClientApi(server);
      server.start();
      return { terminate: () => server.terminate() };
    },
  };
}
