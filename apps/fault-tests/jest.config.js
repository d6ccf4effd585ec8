const path = require('node:path');

module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'fault-tests',
  rootDir: __dirname,
  // Each file starts its own stack and breaks it on purpose; the global setup only makes the
  // folder where scenarios leave their figures, and the teardown turns them into
  // docs/reliability.md.
  globalSetup: path.join(__dirname, 'src/global-setup.ts'),
  globalTeardown: path.join(__dirname, 'src/global-teardown.ts'),
  // A stack is a dozen processes on two shared cores: one file at a time.
  maxWorkers: 1,
  // Steps wait for brokers, databases and replicas; each wait is bounded on its own.
  testTimeout: 120_000,
};
