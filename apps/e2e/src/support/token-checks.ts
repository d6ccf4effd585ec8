// This folder is test code; the rule is meant for the services' production code under apps/.
import { waitFor } from '@dja/test-infra';
import { type ApiResponse, request } from '@dja/stack-client';
import { RESOURCE_PROBES, replicasOf, type StackInfo } from './stack-info';

/** Revocations cross the broker to every replica; this bounds how long that may take. */
const PROPAGATION_TIMEOUT_MS = 20_000;

export interface ReplicaAnswer {
  replica: string;
  response: ApiResponse;
}

/** The token's owner's resource at every replica of every resource service, called directly. */
export async function callEveryResourceReplica(
  stack: StackInfo,
  token: string,
): Promise<ReplicaAnswer[]> {
  const calls = RESOURCE_PROBES.flatMap(({ service, path }) =>
    replicasOf(stack, service).map(async (replica) => ({
      replica: replica.name,
      response: await request(`${replica.url}${path}`, { token }),
    })),
  );
  return Promise.all(calls);
}

/** A compact view for assertions: `orders-service-1 200`. */
export function statuses(answers: ReplicaAnswer[]): string[] {
  return answers.map(({ replica, response }) => `${replica} ${response.status}`);
}

/** RFC 6750 §3.1: 401 with a Bearer challenge naming invalid_token. */
export function isInvalidTokenRefusal(response: ApiResponse): boolean {
  const challenge = response.headers.get('www-authenticate') ?? '';
  return (
    response.status === 401 &&
    /^Bearer\b/.test(challenge) &&
    /error="invalid_token"/.test(challenge)
  );
}

/**
 * Every replica of every resource service answers 401 invalid_token for `token`. With
 * `eventually`, waits (bounded) for a revocation to reach them all first.
 */
export async function expectRefusedEverywhere(
  stack: StackInfo,
  token: string,
  { eventually = false } = {},
): Promise<void> {
  if (eventually) {
    await waitFor(
      async () =>
        (await callEveryResourceReplica(stack, token)).every(({ response }) =>
          isInvalidTokenRefusal(response),
        ),
      {
        timeoutMs: PROPAGATION_TIMEOUT_MS,
        intervalMs: 200,
        description: 'every replica to refuse the token',
      },
    ).catch(() => undefined);
  }
  const answers = await callEveryResourceReplica(stack, token);
  expect(answers.length).toBe(
    RESOURCE_PROBES.reduce((sum, { service }) => sum + replicasOf(stack, service).length, 0),
  );
  for (const { replica, response } of answers) {
    expect(`${replica} ${response.status}`).toBe(`${replica} 401`);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer\b.*error="invalid_token"/);
  }
}

/**
 * Every replica of every resource service serves the token's owner (200). The profile exists
 * only once profile-service has handled `user.registered`, so this waits for it first.
 */
export async function expectAcceptedEverywhere(stack: StackInfo, token: string): Promise<void> {
  await waitForProfile(stack.gatewayUrl, token);
  const answers = await callEveryResourceReplica(stack, token);
  expect(statuses(answers)).toEqual(answers.map(({ replica }) => `${replica} 200`));
}

/**
 * Waits until the user's profile, created from `user.registered`, exists: profile-service
 * answers 404 until then. Any other answer ends the wait, for the caller to judge.
 */
export async function waitForProfile(gatewayUrl: string, token: string): Promise<void> {
  await waitFor(async () => (await request(`${gatewayUrl}/profile/me`, { token })).status !== 404, {
    timeoutMs: 30_000,
    intervalMs: 200,
    description: 'the profile to be created',
  });
}
