// The deterministic simulation engine: time, randomness, hosts and processes, network, faults, trace.
export * from './time';
export * from './event-queue';
export * from './engine';
export * from './rng';
export * from './clock';
export * from './process';
export * from './host';
export * from './latency';
export * from './network';
export * from './faults';
export * from './trace';
export * from './trace-ndjson';
export * from './trace-perfetto';
export * from './simulation';
export * from './rpc';
