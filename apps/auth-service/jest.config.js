const { withTestServers } = require('../../tools/test-infra/jest-servers');

module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'auth-service',
  rootDir: __dirname,
  // One throw-away PostgreSQL per run; each test file gets its own database (test/support).
  ...withTestServers('postgres'),
  // argon2 at OWASP parameters and real RSA keys make a few tests slower than Jest's default.
  testTimeout: 30_000,
};
