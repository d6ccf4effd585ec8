import { callApi, PROBES, type ApiResult, type ServiceName } from './api';

export interface Refusal {
  service: ServiceName;
  /** From the moment the session ended (logout 2xx, or reuse 400) to the first 401. */
  afterMs: number | null;
  first: ApiResult | null;
  /** Of the confirmation calls made after the first 401, how many were refused too. */
  confirmed: { refused: number; of: number };
}

const POLL_INTERVAL_MS = 50;
const GIVE_UP_AFTER_MS = 15_000;
const CONFIRMATIONS = 4;

/**
 * Calls every service with the token until each refuses it with 401, then a few more times (the
 * gateway spreads them over the replicas) to show the refusal holds everywhere. The resource
 * services learn of the revocation from the broker, so the first few calls may still succeed.
 */
export async function measureRefusal(token: string, endedAt: number): Promise<Refusal[]> {
  return Promise.all(
    PROBES.map(async ({ service, request }): Promise<Refusal> => {
      let first: ApiResult | null = null;
      let afterMs: number | null = null;
      while (performance.now() - endedAt < GIVE_UP_AFTER_MS) {
        const result = await callApi({ ...request, token });
        if (result.status === 401) {
          first = result;
          afterMs = performance.now() - endedAt;
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
      }
      let refused = 0;
      if (first) {
        for (let i = 0; i < CONFIRMATIONS; i++) {
          if ((await callApi({ ...request, token })).status === 401) refused++;
        }
      }
      return { service, afterMs, first, confirmed: { refused, of: first ? CONFIRMATIONS : 0 } };
    }),
  );
}
