module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'test-infra',
  rootDir: __dirname,
  // These tests boot real PostgreSQL and RabbitMQ servers, which takes seconds on two cores.
  testTimeout: 60_000,
};
