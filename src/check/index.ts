// Property checking of a simulated Kubernetes HA control plane: the public API of src/check.
//
// - Run `check` from code: propertyCheck (search + shrink), runCheck (one run, both phases, every checker).
// - Drive a run yourself in your own vitest / fast-check properties: CheckSession (build, fault plan, run,
//   query acting-leader intervals, etcd leaders, the KV history and its linearizability).
// - Fault plans as data: planArbitrary / windowArbitrary (fast-check arbitraries), toFaultPlan, shrinkWindows.
// - Checkers on their own: checkLinearizability (porcupine-style) with kvModel / casRegisterModel,
//   findLeaseOverlaps, checkAckedWrites, checkDuplicatedWork.
export * from './linearizability';
export * from './checkers/types';
export * from './checkers/lease-exclusivity';
export * from './checkers/acked-writes';
export * from './checkers/duplicated-work';
export * from './plan/classes';
export * from './plan/targets';
export * from './plan/window';
export * from './plan/arbitrary';
export * from './plan/shrink';
export * from './workload/kv-history';
export * from './workload/kv-workload';
export * from './report/scenario-yaml';
export * from './report/format';
export { runCheck, checkPlan, healSteps, DEFAULT_LIVENESS_US, type CheckRunConfig, type CheckRunResult, type CheckOutcome, type WorkloadSettings } from './harness';
export { propertyCheck, type PropertyCheckOptions, type CheckReport, type CheckFailure, type CheckProgress, type FailingRun } from './property';
export { CheckSession, defaultScenario, type CheckSessionOptions } from './session';
export { BUG_CATALOGUE, injectedBugs, setInjectedBugs, type InjectedBugs, type BugName, type ElectorBugs, type ApiserverBugs, type LoadBalancerBugs } from './bugs';
