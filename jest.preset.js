// Shared Jest settings. Every project's jest.config.js spreads this and adds its own root.
// TypeScript (and jose, which ships only ES modules) is compiled by SWC; path aliases
// mirror tsconfig.base.json so tests import libraries exactly as services do.
const path = require('node:path');
const { compilerOptions } = require('./tsconfig.base.json');

const moduleNameMapper = {};
for (const [alias, [target]] of Object.entries(compilerOptions.paths)) {
  moduleNameMapper[`^${alias.replace(/[/@]/g, (c) => `\\${c}`)}$`] = path.join(__dirname, target);
}

// Jest applies moduleNameMapper in its test workers only. Global setups run in this process
// and load through Node's resolver, so the same aliases are taught to it here, once, for every
// project: a global setup may then import `@dja/stack` like any test does.
const Module = require('node:module');
const aliasTargets = new Map(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [
    alias,
    path.join(__dirname, target),
  ]),
);
if (!Module._resolveFilename.djaAliases) {
  const resolveFilename = Module._resolveFilename;
  Module._resolveFilename = function (request, ...rest) {
    return resolveFilename.call(this, aliasTargets.get(request) ?? request, ...rest);
  };
  Module._resolveFilename.djaAliases = true;
}

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.(t|j|mj)s$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs' },
      },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!(jose)/)'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  moduleNameMapper,
  testMatch: ['**/?(*.)+(spec|test).ts'],
  clearMocks: true,
};
