module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'stack-client',
  rootDir: __dirname,
};
