#!/usr/bin/env node
// Browser check and bundle (`npm run build`, after the typecheck):
//  1. bundles every module under src/ except src/cli and src/bench with esbuild for platform 'browser', and fails
//     with a list of offenders if any of them (directly) imports a node builtin, or if anything does not bundle;
//  2. writes dist/browser/kube-ha-sim.js, the ESM bundle of src/browser.ts (the public modules);
//  3. loads that bundle and runs a small simulation through the NDJSON trace sink, checking that the browser
//     build of pino (which a browser bundle gets) writes the same lines as a node bundle of the same entry.
import { builtinModules } from 'node:module';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = join(root, 'src');
const outDir = join(root, 'dist', 'browser');
const excluded = [join(srcDir, 'cli'), join(srcDir, 'bench')];
const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

/** Every .ts module of the simulation proper. */
function simulationModules(dir = srcDir) {
  const files = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (excluded.includes(path)) continue;
    if (statSync(path).isDirectory()) files.push(...simulationModules(path));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) files.push(path);
  }
  return files;
}

/** Flags every import of a node builtin from our own sources (dependencies are left to their `browser` fields). */
function forbidNodeBuiltins(offenders) {
  return {
    name: 'forbid-node-builtins',
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        const base = args.path.startsWith('node:') ? args.path : args.path.split('/')[0];
        if (!builtins.has(args.path) && !builtins.has(base)) return undefined;
        if (args.importer.includes(`${sep}node_modules${sep}`)) return undefined;
        offenders.push(`${relative(root, args.importer) || '<entry>'} imports "${args.path}"`);
        return { path: args.path, external: true };
      });
    },
  };
}

function fail(lines) {
  console.error(['build-browser: FAILED', ...lines.map((l) => `  ${l}`)].join('\n'));
  process.exit(1);
}

async function bundle(options, offenders) {
  try {
    return await esbuild.build({
      bundle: true,
      format: 'esm',
      target: 'es2022',
      logLevel: 'silent',
      metafile: true,
      plugins: [forbidNodeBuiltins(offenders)],
      ...options,
    });
  } catch (err) {
    const messages = (err.errors ?? [{ text: String(err) }]).map((e) => (e.location ? `${e.location.file}:${e.location.line}: ${e.text}` : e.text));
    fail(messages);
  }
}

// 1. Everything under src/ except src/cli and src/bench.
const modules = simulationModules();
const offenders = [];
await bundle(
  {
    stdin: {
      contents: modules.map((file, i) => `export * as m${i} from ${JSON.stringify('./' + relative(root, file).split(sep).join('/'))};`).join('\n'),
      resolveDir: root,
      loader: 'ts',
      sourcefile: 'all-simulation-modules.ts',
    },
    platform: 'browser',
    write: false,
  },
  offenders,
);
if (offenders.length > 0) {
  fail([
    'everything under src/ except src/cli and src/bench must run in a browser, but these modules need node builtins:',
    ...[...new Set(offenders)].sort(),
  ]);
}
console.log(`build-browser: ${modules.length} modules under src/ (except src/cli, src/bench) bundle for the browser without node builtins`);

// 2. The public bundle.
mkdirSync(outDir, { recursive: true });
const outfile = join(outDir, 'kube-ha-sim.js');
const result = await bundle({ entryPoints: [join(srcDir, 'browser.ts')], platform: 'browser', outfile, sourcemap: true }, offenders);
const bytes = Object.values(result.metafile.outputs).find((o) => o.entryPoint)?.bytes ?? 0;
console.log(`build-browser: wrote ${relative(root, outfile)} (${(bytes / 1024).toFixed(0)} KiB)`);

// 3. The NDJSON sink in the browser bundle writes what it writes in node.
const nodeOutfile = join(outDir, 'kube-ha-sim.node-check.mjs');
await bundle({ entryPoints: [join(srcDir, 'browser.ts')], platform: 'node', outfile: nodeOutfile, packages: 'external' }, []);
const [browserLines, nodeLines] = await Promise.all([ndjsonSmoke(outfile), ndjsonSmoke(nodeOutfile)]);
rmSync(nodeOutfile);
if (browserLines.length === 0 || browserLines.join('') !== nodeLines.join('')) {
  fail([
    'the NDJSON trace sink in the browser bundle does not write what it writes in node:',
    `  browser: ${browserLines.length} lines, first ${JSON.stringify(browserLines[0] ?? null)}`,
    `  node:    ${nodeLines.length} lines, first ${JSON.stringify(nodeLines[0] ?? null)}`,
  ]);
}
console.log(`build-browser: NDJSON trace in the browser bundle matches node (${browserLines.length} lines of a small run)`);

/** Runs two hosts pinging each other for 100 ms of simulated time through the bundle at `file`; returns the NDJSON. */
async function ndjsonSmoke(file) {
  const { sim } = await import(pathToFileURL(file).href);
  const s = new sim.Simulation({ seed: 7 });
  const lines = [];
  s.engine.trace.addSink(new sim.NdjsonSink((line) => lines.push(line)));
  const hosts = [s.addHost('a', { address: '10.0.0.1' }), s.addHost('b', { address: '10.0.0.2' })];
  hosts.forEach((host, i) =>
    host.addProcess({
      name: 'pinger',
      create(ctx) {
        ctx.listen(7, { onDatagram: (msg, from) => ctx.log('info', `got ${msg.type} from ${from.address}`) });
        const tick = () => {
          ctx.send(`10.0.0.${2 - i}`, 7, { type: 'ping' });
          ctx.setTimer(10_000 + ctx.rng.int(5_000), tick);
        };
        tick();
        return {};
      },
    }),
  );
  s.start([{ atUs: 50_000, fault: { kind: 'pause', host: 'b', durationUs: 20_000 } }]);
  s.runUntil(100_000);
  s.finish('time');
  return lines;
}
