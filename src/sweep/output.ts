// The output formats of a sweep result.
import { serialize } from './documents';
import { formatCsv } from './format-csv';
import { formatHtml } from './format-html';
import { formatTable } from './format-table';
import { SweepInputError } from './parameters';
import type { SweepResult } from './types';

export const SWEEP_OUTPUTS = ['table', 'json', 'csv', 'html'] as const;
export type SweepOutput = (typeof SWEEP_OUTPUTS)[number];

export function parseSweepOutput(text: string): SweepOutput {
  const found = SWEEP_OUTPUTS.find((o) => o === text);
  if (found === undefined) throw new SweepInputError(`--output ${JSON.stringify(text)}: expected one of ${SWEEP_OUTPUTS.join(', ')}`);
  return found;
}

/** Renders a result; `chartJsSource` is needed for html only. */
export function renderResult(result: SweepResult, output: SweepOutput, chartJsSource: () => string): string {
  switch (output) {
    case 'table':
      return formatTable(result);
    case 'json':
      return serialize(result);
    case 'csv':
      return formatCsv(result);
    case 'html':
      return formatHtml(result, { chartJsSource: chartJsSource() });
  }
}
