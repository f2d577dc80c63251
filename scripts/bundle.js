// The command line and the benchmarks run from an esbuild bundle of src/ (dist/node/<build>/), built on first use
// and rebuilt whenever a source file it was built from changes. Why: tsx, which runs the TypeScript sources
// directly, transforms each module with esbuild's keepNames, which wraps every named function and closure in a
// __name() call; on the simulator's hot paths (closures made per event) that costs ~25% of a run. The bundle is the
// same code without those wrappers: outputs are byte-identical, runs are faster (docs/performance.md).
//
//   bundledEntry('cli')   -> file URL of the bundled src/cli/main.ts, or null when no bundle can be built here
//                            or KUBE_HA_SIM_NO_BUNDLE is set (the caller then runs the sources through tsx);
//   importEntry('cli')    -> that module, from the bundle or from the sources.
//
// What the bundle keeps from the sources:
//   - import.meta.url is the source file's URL in every module, so paths computed from it (the bundled scenarios,
//     createRequire) resolve exactly as they do from src/;
//   - modules loaded at run time by URL (a sweep's worker and runner) are entry points of the same build, sharing
//     its chunks; src/cli/module-url.ts finds them through the KUBE_HA_SIM_BUNDLE define;
//   - dependencies stay in node_modules (packages: 'external') and load as they do under tsx.
// Builds are written to a fresh directory and published by renaming, so concurrent commands (the test suite
// spawns many) never read a half-written bundle.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outRoot = join(root, 'dist', 'node');
const currentFile = join(outRoot, 'current.json');

/** The bundle's entry points, by the name callers use, as paths under src/ without the extension. */
export const ENTRIES = {
  cli: 'cli/main',
  bench: 'bench/main',
  'sweep-worker': 'cli/sweep/worker',
  'scenario-runner': 'sweep/scenario-runner',
};

/** Old builds are removed once they are this old (a command started before the rebuild may still load modules from one). */
const KEEP_OLD_BUILDS_MS = 10 * 60 * 1000;

/**
 * The file URL of an up-to-date bundle of entry `name`, building it if needed; null when it cannot be built
 * (no esbuild, a read-only checkout), in which case the caller falls back to the sources.
 */
export async function bundledEntry(name) {
  const entry = ENTRIES[name];
  if (entry === undefined) throw new Error(`bundle: unknown entry ${name}`);
  if (process.env.KUBE_HA_SIM_NO_BUNDLE) return null; // run the sources through tsx (debugging, comparisons)
  let dir = currentBuild();
  if (dir === null) {
    try {
      dir = await build();
    } catch (err) {
      if (process.env.KUBE_HA_SIM_DEBUG_BUNDLE) process.stderr.write(`bundle: ${err instanceof Error ? err.stack : String(err)}\n`);
      return null;
    }
  }
  return pathToFileURL(join(dir, `${entry}.mjs`)).href;
}

/**
 * The module of entry `name`: from the bundle, or, where none can be built, from the TypeScript source through tsx.
 */
export async function importEntry(name) {
  const bundle = await bundledEntry(name);
  if (bundle !== null) return import(bundle);
  const { register } = await import('tsx/esm/api');
  register();
  return import(pathToFileURL(join(root, 'src', `${ENTRIES[name]}.ts`)).href);
}

/** The published build's directory if every file it was built from is unchanged, else null. */
function currentBuild() {
  let current;
  try {
    current = JSON.parse(readFileSync(currentFile, 'utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(current.inputs) || typeof current.id !== 'string') return null;
  const dir = join(outRoot, current.id);
  if (!existsSync(join(dir, 'done'))) return null;
  return fingerprint(current.inputs) === current.id ? dir : null;
}

/**
 * A digest of the inputs' paths, sizes and modification times, of this script and of tsconfig.json (esbuild reads
 * its compiler options): a change to any of them rebuilds.
 */
function fingerprint(inputs) {
  const hash = createHash('sha1');
  for (const file of [...inputs, relative(root, fileURLToPath(import.meta.url)), 'tsconfig.json']) {
    let stat = null;
    try {
      stat = statSync(join(root, file));
    } catch {
      // absent (a deleted source, no tsconfig.json): part of the digest too
    }
    hash.update(stat === null ? `${file}\0absent\n` : `${file}\0${stat.size}\0${stat.mtimeMs}\n`);
  }
  return hash.digest('hex').slice(0, 16);
}

/** Rewrites import.meta.url in our sources to the source file's own URL (see the header). */
const sourceUrls = {
  name: 'source-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      return { contents: text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)), loader: 'ts' };
    });
  },
};

async function build() {
  const esbuild = await import('esbuild');
  const staging = join(outRoot, `.staging-${process.pid}-${Date.now()}`);
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: Object.values(ENTRIES).map((entry) => `src/${entry}.ts`),
    outbase: 'src',
    outdir: staging,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'silent',
    plugins: [sourceUrls],
    // Tells src/cli/module-url.ts that it runs from the bundle, and where the bundle's entry files are (filled in
    // below once the build's id is known: a placeholder of fixed text until then).
    define: { KUBE_HA_SIM_BUNDLE: JSON.stringify(PLACEHOLDER) },
    write: false,
  });
  const inputs = Object.keys(result.metafile.inputs).filter((file) => !file.includes('node_modules')).sort();
  const id = fingerprint(inputs);
  const dir = join(outRoot, id);
  const dirUrl = `${pathToFileURL(dir).href}/`;
  mkdirSync(staging, { recursive: true });
  for (const file of result.outputFiles) {
    mkdirSync(dirname(file.path), { recursive: true });
    writeFileSync(file.path, file.text.replaceAll(PLACEHOLDER, dirUrl));
  }
  writeFileSync(join(staging, 'done'), '');
  try {
    renameSync(staging, dir);
  } catch {
    rmSync(staging, { recursive: true, force: true }); // another process published the same build first
    if (!existsSync(join(dir, 'done'))) throw new Error(`bundle: could not publish ${dir}`);
  }
  const tmp = `${currentFile}.${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify({ id, inputs })}\n`);
  renameSync(tmp, currentFile);
  removeOldBuilds(id);
  return dir;
}

/** A text that cannot occur in our sources, replaced by the build directory's URL after the build. */
const PLACEHOLDER = 'kube-ha-sim-bundle-dir-placeholder:';

function removeOldBuilds(keep) {
  const now = Date.now();
  for (const name of readdirSync(outRoot)) {
    if (name === keep || name === 'current.json' || name.startsWith('current.json.')) continue;
    const path = join(outRoot, name);
    try {
      if (now - statSync(path).mtimeMs > KEEP_OLD_BUILDS_MS) rmSync(path, { recursive: true, force: true });
    } catch {
      // removed meanwhile by another process
    }
  }
}
