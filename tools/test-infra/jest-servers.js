// Jest configs are plain CommonJS, so this one piece of the test infrastructure is JavaScript.
const path = require('node:path');

const KNOWN = ['postgres', 'rabbitmq'];

/**
 * Settings to spread into a project's jest.config.js: start the named servers once per Jest
 * run, pass their URLs to tests (testPostgresUrl(), testAmqpUrl() from @dja/test-infra) and
 * stop them afterwards.
 *
 *   module.exports = {
 *     ...require('../../jest.preset.js'),
 *     displayName: 'orders',
 *     rootDir: __dirname,
 *     ...withTestServers('postgres', 'rabbitmq'),
 *   };
 *
 * @param {...('postgres'|'rabbitmq')} servers
 */
function withTestServers(...servers) {
  const unknown = servers.filter((name) => !KNOWN.includes(name));
  if (unknown.length > 0) {
    throw new Error(
      `withTestServers: unknown server(s) ${unknown.join(', ')}; known: ${KNOWN.join(', ')}`,
    );
  }
  return {
    globalSetup: path.join(__dirname, 'src/jest/global-setup.ts'),
    globalTeardown: path.join(__dirname, 'src/jest/global-teardown.ts'),
    testEnvironmentOptions: { testServers: servers },
  };
}

module.exports = { withTestServers };
