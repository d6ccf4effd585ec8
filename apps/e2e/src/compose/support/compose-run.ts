/** What the compose global setup hands the test files, as JSON in an environment variable. */
export interface ComposeRun {
  /** Why no Docker Engine could be used; the tests skip. */
  unavailable?: string;
  /** `docker compose` or `docker-compose`. */
  command: string[];
  /** IMAGE_TAG of this run's images. */
  tag: string;
  images: string[];
}

export const COMPOSE_RUN_ENV = 'DJA_COMPOSE_RUN';

export function composeRun(): ComposeRun {
  const json = process.env[COMPOSE_RUN_ENV];
  if (!json) {
    throw new Error(
      `${COMPOSE_RUN_ENV} is not set: run these tests with apps/e2e/jest.compose.config.js`,
    );
  }
  return JSON.parse(json) as ComposeRun;
}
