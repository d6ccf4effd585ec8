import { createRequire } from 'node:module';

/** The module Prisma's generated client loads its query compiler from: `export const wasm = "<base64>"`. */
const COMPILER_SOURCE =
  /[\\/]@prisma[\\/]client[\\/]runtime[\\/]query_compiler_[^\\/]+\.wasm-base64\.js$/;

interface Connectable {
  $connect(): Promise<void>;
}

/**
 * Once the client has compiled its query compiler (on its first connection), lets the GC free the
 * base64 text it was compiled from: 2.2 MiB of module source and 2.2 MiB of the exported string,
 * which Node's module cache would keep for the life of the process (docs/benchmarks.md,
 * "Footprint"). Prisma compiles it once per process and never asks for the module again. If the
 * database is not up yet, the client connects on its first query and the text stays.
 * Returns `db`, for `return forgetQueryCompilerSourceOnceConnected(new PrismaClient(...))`.
 */
export function forgetQueryCompilerSourceOnceConnected<T extends Connectable>(db: T): T {
  db.$connect().then(forgetQueryCompilerSource, () => undefined);
  return db;
}

/** Drops the query compiler's base64 module from Node's module cache; how many it dropped. */
export function forgetQueryCompilerSource(): number {
  const cache = createRequire(__filename).cache;
  const dropped = Object.keys(cache).filter((id) => COMPILER_SOURCE.test(id));
  for (const id of dropped) {
    const module = cache[id];
    delete cache[id];
    // Node also lists a module among the children of the one that required it.
    for (const parent of Object.values(cache)) {
      if (parent && module) parent.children = parent.children.filter((child) => child !== module);
    }
  }
  return dropped.length;
}
