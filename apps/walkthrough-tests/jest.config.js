module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'walkthrough-tests',
  rootDir: __dirname,
  // `npm run stack` builds, starts PostgreSQL, RabbitMQ, nine replicas and nginx: minutes on a
  // busy two-core machine.
  testTimeout: 600_000,
};
