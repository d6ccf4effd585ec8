import type { Options } from 'k6/options';
import { SUMMARY_DIR } from './config.ts';

interface SummaryMetric {
  type: string;
  values: Record<string, number>;
  thresholds?: Record<string, { ok: boolean }>;
}

interface SummaryData {
  metrics: Record<string, SummaryMetric>;
  options?: Options;
}

/**
 * handleSummary for a script: the full end-of-test data as JSON in SUMMARY_DIR/<name>-summary.json
 * and a short threshold report on stdout.
 */
export function writeSummary(name: string) {
  return (data: SummaryData): Record<string, string> => {
    const lines = [`${name}: thresholds`];
    for (const [metric, summary] of Object.entries(data.metrics)) {
      for (const [threshold, { ok }] of Object.entries(summary.thresholds ?? {})) {
        lines.push(`  ${ok ? 'ok  ' : 'FAIL'} ${metric} ${threshold}`);
      }
    }
    return {
      [`${SUMMARY_DIR}/${name}-summary.json`]: JSON.stringify(data, null, 2),
      stdout: `${lines.join('\n')}\n`,
    };
  };
}
