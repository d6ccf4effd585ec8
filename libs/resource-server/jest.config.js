const { withTestServers } = require('../../tools/test-infra/jest-servers.js');

module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'resource-server',
  rootDir: __dirname,
  ...withTestServers('rabbitmq'),
};
