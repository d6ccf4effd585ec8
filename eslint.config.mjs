import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

/**
 * Module boundaries, by tag: `type:*` says what a project is, `scope:*` whose code it is;
 * `kind:testing` is test tooling (real servers for tests), which only tests, tools and suites
 * import. Apps depend on libs; libs never on apps; shared libraries only on shared libraries.
 */
const depConstraints = [
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib', 'kind:testing'] },
  { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib', 'kind:testing'] },
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
  { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib', 'type:tool', 'kind:testing'] },
  // End-to-end suites drive the system from outside: libraries and tools only.
  {
    sourceTag: 'type:e2e',
    onlyDependOnLibsWithTags: ['type:lib', 'type:tool', 'kind:testing'],
  },
  // Test tooling needs no service, tool or suite: libraries only.
  { sourceTag: 'kind:testing', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'scope:auth', onlyDependOnLibsWithTags: ['scope:shared', 'scope:auth'] },
  { sourceTag: 'scope:orders', onlyDependOnLibsWithTags: ['scope:shared', 'scope:orders'] },
  { sourceTag: 'scope:profile', onlyDependOnLibsWithTags: ['scope:shared', 'scope:profile'] },
  {
    sourceTag: 'scope:notifications',
    onlyDependOnLibsWithTags: ['scope:shared', 'scope:notifications'],
  },
  // The console runs in a browser; the shared libraries are written for Node.
  { sourceTag: 'scope:console', onlyDependOnLibsWithTags: ['scope:console'] },
];

/**
 * Production code of apps and libraries: the same boundaries without test tooling. (Not
 * `notDependOnLibsWithTags`, which is transitive: a library's tests would taint every app.)
 */
const productionConstraints = depConstraints.map(({ sourceTag, onlyDependOnLibsWithTags }) => ({
  sourceTag,
  onlyDependOnLibsWithTags: onlyDependOnLibsWithTags.filter((tag) => tag !== 'kind:testing'),
}));

const PRODUCTION_SOURCES = ['apps/*/src/**/*.ts', 'libs/*/src/**/*.ts'];
const TEST_SOURCES = [
  '**/*.test.ts',
  '**/*.spec.ts',
  '**/testing/**',
  // System-level suites are tests through and through.
  'apps/e2e/**',
  'apps/*-e2e/**',
  'apps/*-tests/**',
];

const moduleBoundaries = (constraints) => [
  'error',
  { enforceBuildableLibDependency: false, allow: [], depConstraints: constraints },
];

export default [
  { ignores: ['**/node_modules', '**/dist', '**/tmp', '**/generated', '**/coverage'] },
  ...tseslint.configs.recommended,
  prettier,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': moduleBoundaries(depConstraints),
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    // Test tooling never reaches production code: only tests, benchmarks and tools import it.
    // Its projects are tagged `kind:testing`; a library's own `testing` entry point is not a
    // project of its own, so an import rule keeps it out.
    files: PRODUCTION_SOURCES,
    ignores: TEST_SOURCES,
    rules: {
      '@nx/enforce-module-boundaries': moduleBoundaries(productionConstraints),
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@dja/*/testing'], message: 'Test tooling is for tests only.' }] },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
];
