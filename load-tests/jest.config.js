module.exports = {
  ...require('../jest.preset.js'),
  displayName: 'load-tests',
  rootDir: __dirname,
  // The k6 scripts themselves are not Jest tests; only test/ holds tests.
  roots: ['<rootDir>/test'],
  // One stack for the file, scenarios run one after another against it.
  maxWorkers: 1,
  testTimeout: 180_000,
};
