/** What a script recorded during a shim run: metric samples and check outcomes. */
export type MetricType = 'counter' | 'gauge' | 'rate' | 'trend';

export interface Sample {
  value: number;
  tags: Record<string, string>;
}

export interface RecordedMetric {
  type: MetricType;
  samples: Sample[];
}

export interface Recording {
  metrics: Record<string, RecordedMetric>;
  checks: Record<string, { passes: number; fails: number }>;
}

const KEY = Symbol.for('dja.k6-shim.recording');
type WithRecording = typeof globalThis & { [KEY]?: Recording };

/** One recording per process: the shim runs one script per child process. */
export function recording(): Recording {
  const global = globalThis as WithRecording;
  global[KEY] ??= { metrics: {}, checks: {} };
  return global[KEY];
}

export function record(
  name: string,
  type: MetricType,
  value: number,
  tags: Record<string, string> = {},
): void {
  const metrics = recording().metrics;
  metrics[name] ??= { type, samples: [] };
  metrics[name].samples.push({ value, tags });
}
