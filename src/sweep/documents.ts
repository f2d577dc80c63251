// Sweep documents on disk: the result (`--output json`, also the baseline format) and the shard file
// (`--shard I/N`). Reading validates the shape with a schema and rebuilds every object in canonical key order,
// so a document read back and written again is byte-identical to the original.
import { z } from 'zod';
import { SweepInputError } from './parameters';
import { SWEEP_API_VERSION, type MetricDef, type RunRecord, type SweepResult, type SweepShard, type SweepSpec } from './types';

const specSchema = z.object({
  scenario: z.object({ name: z.string(), file: z.string(), digest: z.string(), durationMs: z.number().min(0) }),
  axes: z.array(z.object({ key: z.string(), values: z.array(z.string()).min(1) })),
  firstSeed: z.number().int().min(0),
  seeds: z.number().int().min(1),
});

const metricSchema = z.object({
  id: z.string(),
  label: z.string(),
  unit: z.enum(['ms', 'count']),
  description: z.string(),
});

const runSchema = z.object({
  index: z.number().int().min(0),
  seed: z.number().int(),
  outcome: z.discriminatedUnion('kind', [
    z.object({
      kind: z.literal('ok'),
      metrics: z.object({ values: z.record(z.string(), z.number().nullable()), violations: z.array(z.string()) }),
    }),
    z.object({ kind: z.literal('error'), message: z.string() }),
  ]),
});

const shardSchema = z.object({
  apiVersion: z.literal(SWEEP_API_VERSION),
  kind: z.literal('SweepShard'),
  spec: specSchema,
  shard: z.object({ index: z.number().int().min(0), count: z.number().int().min(1) }),
  metrics: z.array(metricSchema),
  runs: z.array(runSchema),
});

const summarySchema = z.object({
  n: z.number(),
  min: z.number().nullable(),
  p50: z.number().nullable(),
  p90: z.number().nullable(),
  p99: z.number().nullable(),
  max: z.number().nullable(),
  mean: z.number().nullable(),
  ci95: z.tuple([z.number(), z.number()]).nullable(),
  maxSeed: z.number().nullable(),
});

const resultSchema = z.object({
  apiVersion: z.literal(SWEEP_API_VERSION),
  kind: z.literal('SweepResult'),
  spec: specSchema,
  metrics: z.array(metricSchema),
  method: z.string(),
  points: z.array(
    z.object({
      params: z.record(z.string(), z.string()),
      runs: z.number().int(),
      summary: z.record(z.string(), summarySchema),
      samples: z.record(z.string(), z.array(z.number().nullable())),
      violations: z.array(z.object({ seed: z.number(), violations: z.array(z.string()) })),
      errors: z.array(z.object({ seed: z.number(), message: z.string() })),
    }),
  ),
});

/** Serialises any sweep document: 2-space JSON and a final newline. */
export function serialize(document: SweepResult | SweepShard): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

function describeIssues(file: string, error: z.ZodError): string {
  const lines = error.issues.slice(0, 5).map((issue) => `  ${issue.path.length > 0 ? issue.path.join('.') : '(document)'}: ${issue.message}`);
  if (error.issues.length > 5) lines.push(`  ... and ${error.issues.length - 5} more`);
  return `${file}: not a valid sweep document:\n${lines.join('\n')}`;
}

function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new SweepInputError(`${file}: not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
}

function kindOf(value: unknown): string | null {
  if (typeof value === 'object' && value !== null && 'kind' in value && typeof value.kind === 'string') return value.kind;
  return null;
}

/** Canonical copies (fixed key order), so documents from different sources serialise identically. */
export function canonicalSpec(spec: SweepSpec): SweepSpec {
  return {
    scenario: { name: spec.scenario.name, file: spec.scenario.file, digest: spec.scenario.digest, durationMs: spec.scenario.durationMs },
    axes: spec.axes.map((a) => ({ key: a.key, values: [...a.values] })),
    firstSeed: spec.firstSeed,
    seeds: spec.seeds,
  };
}

export function canonicalMetrics(metrics: readonly MetricDef[]): MetricDef[] {
  return metrics.map((m) => ({ id: m.id, label: m.label, unit: m.unit, description: m.description }));
}

function canonicalRun(run: z.infer<typeof runSchema>): RunRecord {
  const outcome: RunRecord['outcome'] =
    run.outcome.kind === 'ok'
      ? { kind: 'ok', metrics: { values: { ...run.outcome.metrics.values }, violations: [...run.outcome.metrics.violations] } }
      : { kind: 'error', message: run.outcome.message };
  return { index: run.index, seed: run.seed, outcome };
}

export function parseShard(file: string, text: string): SweepShard {
  const value = parseJson(file, text);
  if (kindOf(value) === 'SweepResult') {
    throw new SweepInputError(`${file}: is a complete SweepResult, not a shard; merge takes the files written by sweep --shard I/N`);
  }
  const parsed = shardSchema.safeParse(value);
  if (!parsed.success) throw new SweepInputError(describeIssues(file, parsed.error));
  const doc = parsed.data;
  return {
    apiVersion: SWEEP_API_VERSION,
    kind: 'SweepShard',
    spec: canonicalSpec(doc.spec),
    shard: { index: doc.shard.index, count: doc.shard.count },
    metrics: canonicalMetrics(doc.metrics),
    runs: doc.runs.map(canonicalRun),
  };
}

/** Reads a result document (e.g. a baseline). Its contents are used as read; only the shape is checked. */
export function parseResult(file: string, text: string): SweepResult {
  const value = parseJson(file, text);
  if (kindOf(value) === 'SweepShard') {
    throw new SweepInputError(`${file}: is one shard of a sweep; merge all shards first (kube-ha-sim merge FILES...)`);
  }
  const parsed = resultSchema.safeParse(value);
  if (!parsed.success) throw new SweepInputError(describeIssues(file, parsed.error));
  return parsed.data as SweepResult;
}
