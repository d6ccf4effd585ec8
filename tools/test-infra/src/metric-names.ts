/** The metric families this project exports are named with one of these prefixes. */
const OUR_METRIC = /\b(?:http|auth|outbox|messaging)_[a-z0-9_]*[a-z0-9]\b/g;
const HISTOGRAM_SERIES = /_(?:bucket|count|sum)$/;

/** Metric names a PromQL expression reads (only this project's own families). */
export function metricNamesIn(promql: string): string[] {
  return [...new Set(promql.match(OUR_METRIC) ?? [])];
}

/** The families a Prometheus text exposition declares (`# TYPE name kind`), by name. */
export function declaredFamilies(exposition: string): Map<string, string> {
  return new Map(
    [...exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map(([, name, kind]) => [name!, kind!]),
  );
}

/** True when `series` is a family of `families` or a series of one of its histograms. */
export function isExported(series: string, families: Map<string, string>): boolean {
  if (families.has(series)) return true;
  const base = series.replace(HISTOGRAM_SERIES, '');
  return base !== series && families.get(base) === 'histogram';
}
