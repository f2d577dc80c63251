// The browser entry point: the public modules of kube-ha-sim that run unchanged in a browser (everything under
// src/ except src/cli and src/bench). `npm run build` bundles it with esbuild for the browser and fails if any
// module needs a node builtin. A folder with a public index adds itself here as one more namespace.
export * as sim from './sim';
export * as raft from './raft';
export * as scenario from './scenario';
export * as run from './run';
