#!/usr/bin/env bash
# Bundles a service's entry points for Node.js 24 (CommonJS) together with its plain-JavaScript
# packages: half the module files to resolve and compile at start (docs/benchmarks.md,
# "Footprint"). Arguments: the entry points and the options of the one bundle (--tsconfig,
# --outfile or --outdir, --sourcemap ...), as the "build" targets of apps/*/project.json pass them.
#
# Left in node_modules, loaded at run time:
#   - what cannot be bundled: Prisma's runtime (it loads its query compiler by path) and
#     argon2's native binding;
#   - what the OpenTelemetry SDK patches when tracing is on, which it can only do to a module
#     loaded by name: express, pg, pino, and the SDK with its instrumentations.
set -euo pipefail
# --supported:dynamic-import=false: the `import()` calls left in the bundle (the generated Prisma
# client loads its query compiler so) become `require()`. Through `import()`, Node's ESM loader
# keeps the module and its source for good: for the query compiler, 4.4 MiB of base64 per process,
# which the services let go once the client has compiled it (forgetQueryCompilerSource, @dja/http).
esbuild "$@" --bundle --platform=node --target=node24 --format=cjs --supported:dynamic-import=false \
  '--external:@prisma/*' --external:@node-rs/argon2 \
  --external:@opentelemetry/sdk-node '--external:@opentelemetry/instrumentation-*' \
  --external:express --external:pg --external:pino

# esbuild writes strings and names in ASCII (--charset=ascii, its default) but copies a comment
# inside an expression as it is, and one character beyond Latin-1 in it (an em dash in a zod
# comment) makes V8 hold the whole bundle's source as a two-byte string: 2.7 instead of 1.3 MiB
# per process. Each such character becomes `?` (one UTF-16 unit for one: the source map holds).
for arg in "$@"; do
  case "$arg" in
    --outfile=*) outputs=("${arg#--outfile=}") ;;
    --outdir=*) outputs=("${arg#--outdir=}"/*.js) ;;
  esac
done
perl -CSD -i -pe 's/[^\x00-\xff]/?/g' "${outputs[@]}"
