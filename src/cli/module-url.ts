// The URL of one of our modules that is loaded at run time by URL rather than imported (a sweep's worker thread
// and its runner). Run from the sources (tsx, vitest), that is the TypeScript file under src/; run from the bundle
// the bin builds (scripts/bundle.js defines KUBE_HA_SIM_BUNDLE as the build's directory), it is the bundle's entry
// file of the same module, which shares the bundle's code instead of loading a second copy of src/ through tsx.
declare const KUBE_HA_SIM_BUNDLE: string | undefined;

/** `path` is relative to src/ without the extension, and must be an entry of scripts/bundle.js (ENTRIES). */
export function ownModuleUrl(path: string): string {
  if (typeof KUBE_HA_SIM_BUNDLE === 'string') return new URL(`${path}.mjs`, KUBE_HA_SIM_BUNDLE).href;
  return new URL(`../${path}.ts`, import.meta.url).href;
}

/** True when running from the bundle (worker threads then need no TypeScript loader). */
export function runsFromBundle(): boolean {
  return typeof KUBE_HA_SIM_BUNDLE === 'string';
}
