const path = require('node:path');

module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'security-tests',
  rootDir: __dirname,
  // One small stack for the whole suite (auth x1, orders x2, profile x2, notifications x1); Nx
  // builds the service bundles first.
  globalSetup: path.join(__dirname, 'src/global-setup.ts'),
  globalTeardown: path.join(__dirname, 'src/global-teardown.ts'),
  // The files share two cores with the stack's processes: one at a time.
  maxWorkers: 1,
  // Waits for revocations to cross the broker are bounded per step.
  testTimeout: 120_000,
};
