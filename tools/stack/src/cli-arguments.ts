import { SERVICE_NAMES, type ServiceName } from './topology';

export const USAGE = `usage: npm run stack -- [--port 8080] [--replicas orders=4 [--replicas profile=1 ...]]
services: ${SERVICE_NAMES.join(', ')}`;

/** `--replicas orders=4` (repeatable, or comma-separated) to a count per service. */
export function parseReplicas(values: readonly string[]): Partial<Record<ServiceName, number>> {
  const counts: Partial<Record<ServiceName, number>> = {};
  for (const pair of values.flatMap((value) => value.split(','))) {
    const match = /^([a-z]+)=(\d+)$/.exec(pair.trim());
    const service = match?.[1] as ServiceName | undefined;
    const count = Number(match?.[2]);
    if (!service || !SERVICE_NAMES.includes(service) || !(count >= 1 && count <= 16)) {
      throw new Error(`bad --replicas ${pair}: expected <service>=<1..16>\n${USAGE}`);
    }
    counts[service] = count;
  }
  return counts;
}
