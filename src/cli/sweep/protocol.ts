// Messages between the sweep pool and its worker threads.
import type { RunnerFactoryRef } from '../../sweep/runner';
import type { RunRecord, SweepSpec } from '../../sweep/types';

export interface WorkerData {
  readonly runner: RunnerFactoryRef;
  readonly spec: SweepSpec;
}

export type WorkerRequest = { readonly kind: 'run'; readonly from: number; readonly to: number } | { readonly kind: 'close' };

export type WorkerReply =
  | { readonly kind: 'ready' }
  | { readonly kind: 'done'; readonly from: number; readonly to: number; readonly records: readonly RunRecord[] };
