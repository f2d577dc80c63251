// Scenario files: schema, parsing with file:line:col diagnostics, resolution into a ClusterSpec and timelines.
export * from './types';
export * from './flags';
export * from './diagnostics';
export * from './parse';
export * from './overrides';
export { electionLeases, normaliseLease } from './resolve';
