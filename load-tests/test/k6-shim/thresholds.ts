import type { RecordedMetric, Sample } from './recorder';

export interface ThresholdResult {
  metric: string;
  threshold: string;
  ok: boolean;
  /** The aggregate the threshold compared, undefined when the metric had no samples. */
  actual?: number;
}

const EXPRESSION =
  /^\s*(count|rate|avg|min|max|med|value|p\((\d+(?:\.\d+)?)\))\s*(<=|>=|==|!=|<|>)\s*(-?[\d.]+)\s*$/;

/** `name{tag:value,other:value}` into the metric name and its tag filter. */
function parseKey(key: string): { name: string; filter: Record<string, string> } {
  const match = /^([^{]+)(?:\{(.*)\})?$/.exec(key);
  if (!match) throw new Error(`unreadable threshold key ${key}`);
  const filter: Record<string, string> = {};
  for (const pair of (match[2] ?? '').split(',').filter(Boolean)) {
    const [tag, ...value] = pair.split(':');
    filter[tag!.trim()] = value.join(':').trim();
  }
  return { name: match[1]!, filter };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
}

function aggregate(kind: string, pct: string | undefined, samples: Sample[]): number {
  const values = samples.map((s) => s.value);
  const sum = values.reduce((a, b) => a + b, 0);
  const sorted = [...values].sort((a, b) => a - b);
  switch (kind) {
    case 'count':
      return sum;
    case 'rate':
      return values.length === 0 ? 0 : values.filter((v) => v !== 0).length / values.length;
    case 'avg':
      return sum / values.length;
    case 'min':
      return sorted[0] ?? NaN;
    case 'max':
      return sorted[sorted.length - 1] ?? NaN;
    case 'med':
      return percentile(sorted, 50);
    case 'value':
      return values[values.length - 1] ?? NaN;
    default:
      return percentile(sorted, Number(pct));
  }
}

function compare(actual: number, op: string, limit: number): boolean {
  switch (op) {
    case '<':
      return actual < limit;
    case '<=':
      return actual <= limit;
    case '>':
      return actual > limit;
    case '>=':
      return actual >= limit;
    case '==':
      return actual === limit;
    default:
      return actual !== limit;
  }
}

/**
 * k6's threshold semantics, enough for the expressions these scripts use. A metric that
 * recorded nothing passes, as in k6 (a counter with no samples counts 0).
 */
export function evaluateThresholds(
  thresholds: Record<string, string[]>,
  metrics: Record<string, RecordedMetric>,
): ThresholdResult[] {
  const results: ThresholdResult[] = [];
  for (const [key, expressions] of Object.entries(thresholds)) {
    const { name, filter } = parseKey(key);
    const samples = (metrics[name]?.samples ?? []).filter((sample) =>
      Object.entries(filter).every(([tag, value]) => sample.tags[tag] === value),
    );
    for (const threshold of expressions) {
      const match = EXPRESSION.exec(threshold);
      if (!match) throw new Error(`unreadable threshold ${key}: ${threshold}`);
      const [, kind, pct, op, limit] = match;
      if (samples.length === 0 && kind !== 'count') {
        results.push({ metric: key, threshold, ok: true });
        continue;
      }
      const actual = aggregate(kind!.startsWith('p(') ? 'p' : kind!, pct, samples);
      results.push({ metric: key, threshold, ok: compare(actual, op!, Number(limit)), actual });
    }
  }
  return results;
}
