/** Set by the Jest global setup for every test worker: superuser URL of database `postgres`. */
export const PG_URL_ENV = 'DJA_TEST_PG_URL';
/** Set by the Jest global setup for every test worker: amqp://guest:guest@127.0.0.1:PORT */
export const AMQP_URL_ENV = 'DJA_TEST_AMQP_URL';

const HOW_TO_ENABLE =
  "enable it in the project's jest.config.js with " +
  "`...withTestServers('postgres', 'rabbitmq')` from tools/test-infra/jest-servers.js";

/** The PostgreSQL server URL that the Jest global setup started for this run. */
export function testPostgresUrl(): string {
  const url = process.env[PG_URL_ENV];
  if (!url)
    throw new Error(`${PG_URL_ENV} is not set: no PostgreSQL for this test run; ${HOW_TO_ENABLE}`);
  return url;
}

/** The RabbitMQ URL that the Jest global setup started for this run. */
export function testAmqpUrl(): string {
  const url = process.env[AMQP_URL_ENV];
  if (!url)
    throw new Error(`${AMQP_URL_ENV} is not set: no RabbitMQ for this test run; ${HOW_TO_ENABLE}`);
  return url;
}
