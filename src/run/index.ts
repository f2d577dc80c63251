// The programmatic runner: scenario + seed (+ overrides) -> RunResult.
export * from './result';
export * from './runner';
export { describeExpectation } from './expectations';
export { faultHitsLeader } from './metrics';
export * from './intervals';
