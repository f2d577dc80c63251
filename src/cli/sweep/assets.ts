// Files the html report inlines, read from node_modules so the report opens offline.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

let chartJs: string | null = null;

/** Chart.js's UMD build (defines the global `Chart`). */
export function chartJsSource(): string {
  if (chartJs === null) {
    // The package's exports hide dist/ files; resolve its CommonJS entry (dist/chart.cjs) and look beside it.
    chartJs = readFileSync(join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'), 'utf8');
  }
  return chartJs;
}
