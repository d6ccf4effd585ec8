module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'setup',
  rootDir: __dirname,
};
