import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

// Jest runs modules through its own registry, not Node's module cache, so the check runs in a
// plain Node process (TypeScript through tsx): what the bundled services run with.
const SOURCE = '@prisma/client/runtime/query_compiler_small_bg.postgresql.wasm-base64.js';

function inNode(steps: string): Record<string, unknown> {
  const script = `
    const { writeFileSync, mkdtempSync } = require('node:fs');
    const { join } = require('node:path');
    const { tmpdir } = require('node:os');
    const { forgetQueryCompilerSource, forgetQueryCompilerSourceOnceConnected } =
      require(${JSON.stringify(join(__dirname, 'prisma-query-compiler.ts'))});
    const id = require.resolve(${JSON.stringify(SOURCE)});
    // A module that requires it, as the generated client in a service's bundle does.
    const parent = join(mkdtempSync(join(tmpdir(), 'query-compiler-')), 'client.js');
    function loadLikeTheClient() {
      writeFileSync(parent, 'module.exports = require(' + JSON.stringify(id) + ').wasm.length;');
      require(parent);
      return new WeakRef(require.cache[id].exports);
    }
    const settle = () => new Promise((resolve) => setImmediate(resolve));
    const report = {};
    (async () => { ${steps} })().then(() => console.log(JSON.stringify(report)));
  `;
  const output = execFileSync(process.execPath, ['--import', 'tsx', '--expose-gc', '-e', script], {
    cwd: join(__dirname, '../../..'),
    encoding: 'utf8',
  });
  return JSON.parse(output) as Record<string, unknown>;
}

describe('forgetQueryCompilerSource', () => {
  it("drops the query compiler's base64 module from Node's module cache, so the GC frees it", () => {
    const report = inNode(`
      const exports = loadLikeTheClient();
      report.dropped = forgetQueryCompilerSource();
      report.cached = id in require.cache;
      report.children = require.cache[parent].children.length;
      await settle();
      gc();
      report.freed = exports.deref() === undefined;
    `);
    expect(report).toEqual({ dropped: 1, cached: false, children: 0, freed: true });
  });

  it('drops nothing when the client has not loaded it', () => {
    expect(inNode('report.dropped = forgetQueryCompilerSource();')).toEqual({ dropped: 0 });
  });
});

describe('forgetQueryCompilerSourceOnceConnected', () => {
  it('forgets it once the client has connected, not before', () => {
    const report = inNode(`
      const exports = loadLikeTheClient();
      let connected;
      forgetQueryCompilerSourceOnceConnected({ $connect: () => new Promise((resolve) => (connected = resolve)) });
      await settle();
      report.cachedBefore = id in require.cache;
      connected();
      await settle();
      report.cachedAfter = id in require.cache;
      gc();
      report.freed = exports.deref() === undefined;
    `);
    expect(report).toEqual({ cachedBefore: true, cachedAfter: false, freed: true });
  });

  it('keeps it, and raises nothing, when the connection fails', () => {
    const report = inNode(`
      loadLikeTheClient();
      forgetQueryCompilerSourceOnceConnected({ $connect: () => Promise.reject(new Error('down')) });
      await settle();
      report.cached = id in require.cache;
    `);
    expect(report).toEqual({ cached: true });
  });
});
