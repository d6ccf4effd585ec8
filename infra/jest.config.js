const path = require('node:path');

module.exports = {
  ...require('../jest.preset.js'),
  displayName: 'infra',
  rootDir: __dirname,
  // The Kubernetes overlays, rendered once for every test file that checks them.
  globalSetup: path.join(__dirname, 'test/k8s/global-setup.ts'),
  globalTeardown: path.join(__dirname, 'test/k8s/global-teardown.ts'),
  // docker-compose, kubectl and sh are processes of their own: on a busy two-core machine a
  // hook that runs one can take longer than Jest's default 5 s.
  testTimeout: 60_000,
};
