// The command line and the benchmarks run from an esbuild bundle of src/ (dist/node/<build>/), built on first use
// and rebuilt whenever a source file it was built from changes. Why: tsx, which runs the TypeScript sources
// directly, transforms each module with esbuild's keepNames, which wraps every named function and closure in a
// __name() call; on the simulator's hot paths (closures made per event) that costs 20-25% of a run. The bundle is the
// same code without those wrappers: outputs are byte-identical, runs are faster (docs/performance.md).
//
//   bundledEntry('cli')   -> file URL of the bundled src/cli/main.ts, or null when no bundle can be built here
//                            or KUBE_HA_SIM_NO_BUNDLE is set (the caller then runs the sources through tsx);
//   importEntry('cli')    -> that module, from the bundle or from the sources.
//
// What the bundle keeps from the sources:
//   - import.meta.url is the source file's URL in every module, so paths computed from it (the bundled scenarios,
//     createRequire) resolve exactly as they do from src/;
//   - modules loaded at run time by URL (a sweep's or a check's worker, a sweep's runner) are entry points of the same build, sharing
//     its chunks; src/cli/module-url.ts finds them through the KUBE_HA_SIM_BUNDLE define;
//   - dependencies stay in node_modules (packages: 'external') and load as they do under tsx.
// A build is identified by a digest of what it was built from: the checkout's location (the bundle holds absolute
// paths), the contents of every source file as esbuild read it, tsconfig.json and package.json (esbuild reads
// them), this script and esbuild's version. A command reuses the published build while that digest, computed
// from the files now, is unchanged; a file saved during a build therefore makes the next command rebuild.
// Builds are written to a fresh directory and published by renaming, so concurrent commands (the test suite
// spawns many) never read a half-written bundle.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outRoot = join(root, 'dist', 'node');
const currentFile = join(outRoot, 'current.json');
const require = createRequire(import.meta.url);

/** The bundle's entry points, by the name callers use, as paths under src/ without the extension. */
export const ENTRIES = {
  cli: 'cli/main',
  bench: 'bench/main',
  'sweep-worker': 'cli/sweep/worker',
  'check-worker': 'cli/check/worker',
  'scenario-runner': 'sweep/scenario-runner',
};

/**
 * A replaced build is removed this long after it was replaced: a command started before the rebuild may still
 * load modules from it (a sweep's workers, the benchmark suites).
 */
const KEEP_OLD_BUILDS_MS = 10 * 60 * 1000;

/** Files besides the sources whose contents are part of a build's identity (paths relative to the checkout). */
const CONFIG_FILES = ['scripts/bundle.js', 'tsconfig.json', 'package.json'];

/** The identifier import.meta.url becomes in the bundle; each module declares its own (see sourceModules). */
const SOURCE_URL = '__kube_ha_sim_source_url';

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
    if (!writable()) return null; // a read-only install: the sources it is, without paying for a build each time
    try {
      dir = await build();
    } catch (err) {
      // A broken source is reported again, with its location, when tsx loads it; anything else is worth a line.
      const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
      process.stderr.write(`kube-ha-sim: running the TypeScript sources through tsx (slower): could not bundle them: ${message}\n`);
      if (process.env.KUBE_HA_SIM_DEBUG_BUNDLE) process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
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

/** The published build's directory if nothing it was built from changed since, else null. */
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
  const contents = new Map(current.inputs.map((file) => [file, readOrNull(join(root, file))]));
  return buildId(contents) === current.id ? dir : null;
}

function readOrNull(path) {
  try {
    return readFileSync(path);
  } catch {
    return null; // absent (a deleted source): part of the digest too
  }
}

/** The digest naming a build made from these source contents (relative path -> contents, null if absent). */
function buildId(contents) {
  const hash = createHash('sha1');
  hash.update(`${root}\0${esbuildVersion()}\n`);
  const files = [...contents.keys()].sort();
  for (const file of [...files, ...CONFIG_FILES]) {
    const data = contents.has(file) ? contents.get(file) : readOrNull(join(root, file));
    hash.update(`${file}\0${data === null ? 'absent' : createHash('sha1').update(data).digest('hex')}\n`);
  }
  return hash.digest('hex').slice(0, 16);
}

function esbuildVersion() {
  try {
    return JSON.parse(readFileSync(require.resolve('esbuild/package.json'), 'utf8')).version;
  } catch {
    return 'none';
  }
}

/** Whether builds can be written here (creating dist/node if needed). */
function writable() {
  const probe = join(outRoot, `.probe-${process.pid}`);
  try {
    mkdirSync(outRoot, { recursive: true });
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
    return true;
  } catch {
    return false;
  }
}

/**
 * Records each source exactly as esbuild reads it (for the build's id), and gives every module that uses
 * import.meta.url its own source URL: esbuild's define turns the expression (never text inside a string or a
 * comment) into SOURCE_URL, which each such module declares first.
 */
function sourceModules(contents) {
  return {
    name: 'source-modules',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        const text = readFileSync(args.path, 'utf8');
        contents.set(relative(root, args.path).split('\\').join('/'), Buffer.from(text));
        const prologue = text.includes('import.meta.url') ? `const ${SOURCE_URL} = ${JSON.stringify(pathToFileURL(args.path).href)};\n` : '';
        return { contents: prologue + text, loader: 'ts' };
      });
    },
  };
}

/** A text that cannot occur in our sources, replaced by the build directory's URL after the build. */
const PLACEHOLDER = 'kube-ha-sim-bundle-dir-placeholder:';

async function build() {
  const esbuild = await import('esbuild');
  const staging = join(outRoot, `.staging-${process.pid}-${Date.now()}`);
  const contents = new Map();
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
    logLevel: 'silent',
    plugins: [sourceModules(contents)],
    define: {
      'import.meta.url': SOURCE_URL,
      // Tells src/cli/module-url.ts that it runs from the bundle, and where the bundle's entry files are (filled in
      // below once the build's id is known).
      KUBE_HA_SIM_BUNDLE: JSON.stringify(PLACEHOLDER),
    },
    write: false,
  });
  const id = buildId(contents);
  const dir = join(outRoot, id);
  const dirUrl = `${pathToFileURL(dir).href}/`;
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
  const previous = publishedId();
  const tmp = `${currentFile}.${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify({ id, inputs: [...contents.keys()].sort() })}\n`);
  renameSync(tmp, currentFile);
  if (previous !== null && previous !== id) markReplaced(join(outRoot, previous));
  removeOldBuilds(id);
  return dir;
}

function publishedId() {
  try {
    return JSON.parse(readFileSync(currentFile, 'utf8')).id ?? null;
  } catch {
    return null;
  }
}

/** Stamps a replaced build with the time of its replacement: KEEP_OLD_BUILDS_MS counts from it. */
function markReplaced(dir) {
  try {
    const now = new Date();
    utimesSync(dir, now, now);
  } catch {
    // removed meanwhile
  }
}

/** Removes builds replaced long ago, and staging directories and temporary files left by killed commands. */
function removeOldBuilds(keep) {
  const now = Date.now();
  for (const name of readdirSync(outRoot)) {
    if (name === keep || name === 'current.json') continue;
    const path = join(outRoot, name);
    try {
      if (now - statSync(path).mtimeMs > KEEP_OLD_BUILDS_MS) rmSync(path, { recursive: true, force: true });
    } catch {
      // removed meanwhile by another process
    }
  }
}
