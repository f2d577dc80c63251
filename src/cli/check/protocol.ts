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

/** A case's result: its summary, or the message of what it threw (a simulator bug). */
export type CaseResult = { readonly index: number; readonly summary: RunSummary } | { readonly index: number; readonly thrown: string };

export type CheckWorkerRequest = { readonly kind: 'run'; readonly cases: readonly CheckCase[] };

export type CheckWorkerReply = { readonly kind: 'ready' } | { readonly kind: 'done'; readonly results: readonly CaseResult[] };
