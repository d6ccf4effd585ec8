import { check } from 'k6';
import type { Response } from './client.ts';

/** A named check that the response has `status`; returns whether it had. */
export function expectStatus(response: Response, status: number, what: string): boolean {
  return check(response, { [`${what}: ${status}`]: (r) => r.status === status });
}

/** A named check on any condition, for facts that are not a status code. */
export function expectThat(condition: boolean, what: string): boolean {
  return check(null, { [what]: () => condition });
}
