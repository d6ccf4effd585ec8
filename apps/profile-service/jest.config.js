const { withTestServers } = require('../../tools/test-infra/jest-servers');

module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'profile-service',
  rootDir: __dirname,
  // One throw-away PostgreSQL and RabbitMQ per run; each test file gets its own database.
  ...withTestServers('postgres', 'rabbitmq'),
  // Real RSA keys and a real broker make a few tests slower than Jest's default.
  testTimeout: 30_000,
};
