const { withTestServers } = require('../../tools/test-infra/jest-servers.js');

module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'messaging',
  rootDir: __dirname,
  // PostgreSQL for the outbox; each test file starts its own broker so it can restart it.
  ...withTestServers('postgres'),
};
