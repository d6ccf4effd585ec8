export { amqpHandshake } from './amqp-handshake';
export { publishRaw, takeMessages } from './amqp-messages';
export { captureLines } from './capture-lines';
export { createMigratedTestDatabase } from './jest/migrated-database';
export { createTestDatabase, type TestDatabase } from './jest/test-database';
export { AMQP_URL_ENV, PG_URL_ENV, testAmqpUrl, testPostgresUrl } from './jest/server-env';
export {
  failureDetails,
  formatStatuses,
  Load,
  sleep,
  type LoadOptions,
  type LoadRequest,
  type LoadResult,
  type LoadSample,
} from './load';
export {
  type OtlpReceiver,
  receivedSpans,
  type ReceivedSpan,
  startOtlpReceiver,
} from './otlp-receiver';
export { declaredFamilies, isExported, metricNamesIn } from './metric-names';
export { freePort } from './ports';
export {
  createDatabase,
  databaseUrl,
  dropDatabase,
  POSTGRES_NOT_FOUND_MESSAGE,
  startPostgres,
  type CreateDatabaseOptions,
  type PostgresServer,
  type StartPostgresOptions,
} from './postgres';
export {
  RABBITMQ_NOT_FOUND_MESSAGE,
  startRabbitMQ,
  type RabbitMQServer,
  type StartRabbitMQOptions,
} from './rabbitmq';
export { waitFor, type WaitForOptions } from './wait-for';
