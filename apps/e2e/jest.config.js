const path = require('node:path');

module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'e2e',
  rootDir: __dirname,
  // One stack (every service, PostgreSQL, RabbitMQ, nginx) for the files that leave it as they
  // found it; the fault tests start their own. Nx builds the service bundles first.
  globalSetup: path.join(__dirname, 'src/global-setup.ts'),
  globalTeardown: path.join(__dirname, 'src/global-teardown.ts'),
  // Files share the machine's two cores with a dozen service processes: one at a time.
  maxWorkers: 1,
  // src/compose/ runs on docker compose with its own configuration (jest.compose.config.js).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/src/compose/'],
  // Waits for events to cross the broker and for replicas to start are bounded per step.
  testTimeout: 120_000,
};
