module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'console-e2e',
  rootDir: __dirname,
  // A whole stack and a browser share the machine's two cores: one file at a time.
  maxWorkers: 1,
  // Each step waits on real processes (broker broadcasts, replicas); bounded per step.
  testTimeout: 120_000,
};
