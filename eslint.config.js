// Lint rules that protect the product: a run must be a pure function of (scenario, seed), and
// everything under src/ except the CLI and the benchmarks must run unchanged in a browser.
import tseslint from 'typescript-eslint';

const wallClockMessage =
  'The simulation reads time only from the engine (engine.nowUs / a host clock) and randomness only from its seeded streams.';

const nodeBuiltins = [
  'assert', 'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'dns', 'events', 'fs', 'fs/promises', 'http',
  'http2', 'https', 'module', 'net', 'os', 'path', 'perf_hooks', 'process', 'readline', 'stream', 'timers',
  'tls', 'tty', 'url', 'util', 'v8', 'vm', 'worker_threads', 'zlib',
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'coverage/**', 'out/**'] },
  {
    files: ['**/*.ts', '**/*.js'],
    languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: 'module' },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {},
  },
  {
    // The simulation proper: deterministic and browser-safe.
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**', 'src/bench/**'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: wallClockMessage },
        { object: 'Date', property: 'now', message: wallClockMessage },
        { object: 'performance', property: 'now', message: wallClockMessage },
        { object: 'process', property: 'hrtime', message: wallClockMessage },
        // The same timers reached through the global object.
        ...['globalThis', 'window', 'self'].flatMap((object) =>
          ['setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask', 'requestAnimationFrame'].map((property) => ({
            object,
            property,
            message: 'Real timers break determinism; use ProcessContext.setTimer or engine.schedule.',
          })),
        ),
      ],
      'no-restricted-syntax': [
        'error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: `new Date() reads the wall clock. ${wallClockMessage}` },
        { selector: "CallExpression[callee.name='Date']", message: `Date() reads the wall clock. ${wallClockMessage}` },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: `Real timers break determinism; use ProcessContext.setTimer or engine.schedule.` },
        { name: 'setInterval', message: `Real timers break determinism; use ProcessContext.setTimer or engine.schedule.` },
        { name: 'setImmediate', message: `Real timers break determinism; use engine.schedule.` },
        { name: 'queueMicrotask', message: `Work outside the event queue breaks determinism; use engine.schedule.` },
        { name: 'requestAnimationFrame', message: `Real timers break determinism; use engine.schedule.` },
        { name: 'crypto', message: `crypto.randomUUID/getRandomValues are unseeded randomness; use a seeded stream (Random.uuid).` },
        { name: 'performance', message: wallClockMessage },
        { name: 'process', message: 'src/ (outside src/cli and src/bench) must run in a browser: no process global.' },
        { name: 'Buffer', message: 'src/ (outside src/cli and src/bench) must run in a browser: no Buffer.' },
        { name: 'require', message: 'ES modules only.' },
      ],
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'src/ (outside src/cli and src/bench) must run in a browser.' })),
          patterns: [{ group: ['node:*'], message: 'src/ (outside src/cli and src/bench) must run in a browser.' }],
        },
      ],
    },
  },
);
