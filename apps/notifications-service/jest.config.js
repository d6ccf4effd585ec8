const { withTestServers } = require('../../tools/test-infra/jest-servers');

module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'notifications-service',
  rootDir: __dirname,
  // One throw-away PostgreSQL and RabbitMQ per run; each test file gets its own database and
  // its own queue names (test/support).
  ...withTestServers('postgres', 'rabbitmq'),
  // Real RSA keys and event retries with back-off make a few tests slower than Jest's default.
  testTimeout: 30_000,
};
