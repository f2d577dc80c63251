// Messages between a parallel check search and its worker threads.
import type { RunSettings, RunSummary } from '../../check/property';
import type { FaultWindow } from '../../check/plan/window';

export interface CheckWorkerData {
  readonly settings: RunSettings;
}

export interface CheckCase {
  readonly index: number;
  readonly simSeed: number;
  readonly windows: readonly FaultWindow[];
}

export type CheckWorkerRequest = { readonly kind: 'run'; readonly cases: readonly CheckCase[] } | { readonly kind: 'close' };

export type CheckWorkerReply =
  | { readonly kind: 'ready' }
  | { readonly kind: 'done'; readonly results: ReadonlyArray<{ readonly index: number; readonly summary: RunSummary }> };
