// scripts/bundle.js: the command line runs from an esbuild bundle of src/. It must print exactly what the sources
// print, and be rebuilt when a source changes.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, cli, cliProcess, ROOT } from '../cli/helpers';

describe('the bundled command line', () => {
  it('prints byte-identical output to the sources, in every format', async () => {
    for (const output of ['timeline', 'json', 'ndjson', 'perfetto']) {
      const argv = ['run', 'scenarios/failover-15s.yaml', '--seed', '1', '--output', output];
      const fromSources = await cli(...argv);
      const fromBundle = cliProcess(...argv);
      expect(fromBundle.code).toBe(0);
      expect(fromBundle.stdout.length).toBeGreaterThan(1000);
      expect(fromBundle.stdout).toBe(fromSources.stdout);
    }
  }, 120_000);

  it('runs the sources through tsx where there is no bundle (KUBE_HA_SIM_NO_BUNDLE), with the same output', () => {
    const argv = [BIN, 'run', 'scenarios/graceful-stop-scheduler.yaml', '--output', 'json'];
    const fromBundle = cliProcess(...argv.slice(1));
    const fromSources = spawnSync(process.execPath, argv, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, KUBE_HA_SIM_NO_BUNDLE: '1' }, maxBuffer: 64 * 1024 * 1024 });
    expect(fromSources.status).toBe(fromBundle.code);
    expect(fromSources.stdout.length).toBeGreaterThan(1000);
    expect(fromSources.stdout).toBe(fromBundle.stdout);
  }, 120_000);

  it('runs a sweep on worker threads from the bundle, with the same result as one thread', () => {
    const argv = ['sweep', 'scenarios/graceful-stop-scheduler.yaml', '--set', 'kube-scheduler.--leader-elect-retry-period=2s,3s', '--seeds', '3', '--output', 'csv'];
    const one = cliProcess(...argv, '--workers', '1');
    const two = cliProcess(...argv, '--workers', '2');
    expect(one.stderr).toBe('');
    expect(one.code).toBe(0);
    expect(two.stdout).toBe(one.stdout);
  }, 120_000);
});

describe('bundledEntry', () => {
  // A copy of the project (sources and the script; node_modules linked) so that changing a source does not
  // disturb the checkout other tests run from.
  const copy = mkdtempSync(join(tmpdir(), 'kube-ha-sim-bundle-'));
  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  it('builds on first use, reuses the build while nothing changed, rebuilds when a source changes', async () => {
    cpSync(join(ROOT, 'src'), join(copy, 'src'), { recursive: true });
    cpSync(join(ROOT, 'scripts'), join(copy, 'scripts'), { recursive: true });
    for (const file of ['package.json', 'tsconfig.json']) cpSync(join(ROOT, file), join(copy, file));
    symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
    const { bundledEntry } = (await import(pathToFileURL(join(copy, 'scripts', 'bundle.js')).href)) as {
      bundledEntry(name: string): Promise<string | null>;
    };
    const first = await bundledEntry('cli');
    expect(first).not.toBeNull();
    expect(fileURLToPath(first!).startsWith(join(copy, 'dist', 'node'))).toBe(true);
    expect(readFileSync(fileURLToPath(first!), 'utf8')).toContain('function main(');
    expect(await bundledEntry('cli')).toBe(first);

    // The bundle sees a change to any module it was built from. The build it replaces stays for a while, however
    // long ago it was built (a command started before the rebuild may still load modules from it).
    const firstDir = join(fileURLToPath(first!), '..', '..');
    const hourAgo = new Date(Date.now() - 3600_000);
    utimesSync(firstDir, hourAgo, hourAgo);
    const file = join(copy, 'src', 'sim', 'time.ts');
    writeFileSync(file, `${readFileSync(file, 'utf8')}\nexport const BUNDLE_TEST_MARKER = 'changed';\n`);
    const second = await bundledEntry('cli');
    expect(second).not.toBeNull();
    expect(second).not.toBe(first);
    expect(existsSync(join(firstDir, 'cli', 'main.mjs'))).toBe(true);
    expect(await bundledEntry('cli')).toBe(second);

    // ... and to the compiler options esbuild reads.
    writeFileSync(join(copy, 'tsconfig.json'), readFileSync(join(ROOT, 'tsconfig.json'), 'utf8').replace('"strict": true', '"strict": true '));
    const third = await bundledEntry('cli');
    expect(third).not.toBeNull();
    expect(third).not.toBe(second);
  }, 60_000);

  it('keeps import.meta.url text inside strings, and gives each module its own file URL', async () => {
    const file = join(copy, 'src', 'cli', 'load.ts');
    // A statement with a side effect, so that the bundle keeps it.
    writeFileSync(file, `${readFileSync(file, 'utf8')}\nif (process.env.BUNDLE_TEST_HINT) process.stderr.write("paths are resolved from import.meta.url");\n`);
    const { bundledEntry } = (await import(pathToFileURL(join(copy, 'scripts', 'bundle.js')).href)) as {
      bundledEntry(name: string): Promise<string | null>;
    };
    const entry = await bundledEntry('cli');
    expect(entry).not.toBeNull();
    const text = readdirSync(join(fileURLToPath(entry!), '..', '..', 'chunks'))
      .map((chunk) => readFileSync(join(fileURLToPath(entry!), '..', '..', 'chunks', chunk), 'utf8'))
      .concat(readFileSync(fileURLToPath(entry!), 'utf8'))
      .join('\n');
    expect(text).toContain('"paths are resolved from import.meta.url"');
    expect(text).toContain(JSON.stringify(pathToFileURL(file).href));
  }, 60_000);
});

describe('a moved checkout', () => {
  it('builds again (the bundle holds absolute paths), and the moved copy reads its own files', () => {
    const from = mkdtempSync(join(tmpdir(), 'kube-ha-sim-move-a-'));
    const to = `${from}-moved`;
    try {
      for (const dir of ['src', 'scripts', 'bin', 'scenarios']) cpSync(join(ROOT, dir), join(from, dir), { recursive: true });
      for (const file of ['package.json', 'tsconfig.json']) cpSync(join(ROOT, file), join(from, file));
      symlinkSync(join(ROOT, 'node_modules'), join(from, 'node_modules'));
      const list = (dir: string) => spawnSync(process.execPath, [join(dir, 'bin', 'kube-ha-sim.js'), 'list'], { cwd: dir, encoding: 'utf8' });
      const before = list(from);
      expect(before.status).toBe(0);
      renameSync(from, to);
      const after = list(to);
      expect(after.stderr).toBe('');
      expect(after.status).toBe(0);
      expect(after.stdout).toBe(before.stdout);
      expect(readdirSync(join(to, 'dist', 'node')).filter((name) => /^[0-9a-f]{16}$/.test(name))).toHaveLength(2);
    } finally {
      rmSync(from, { recursive: true, force: true });
      rmSync(to, { recursive: true, force: true });
    }
  }, 60_000);
});
