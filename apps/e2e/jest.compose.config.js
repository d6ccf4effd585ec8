const path = require('node:path');

// The compose suite (src/compose/): docker-compose.yml built, started, walked and broken for
// real. Its global setup builds the images once (or, with no Docker Engine, says why in one line
// and the tests are reported as skipped); each file brings up its own compose project.
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'compose',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/compose/**/*.test.ts'],
  globalSetup: path.join(__dirname, 'src/compose/global-setup.ts'),
  globalTeardown: path.join(__dirname, 'src/compose/global-teardown.ts'),
  maxWorkers: 1,
  // Steps wait on containers: a scale-up, a broker restart, events crossing it. Each wait inside
  // is bounded on its own; this only stops a step that hangs.
  testTimeout: 600_000,
};
