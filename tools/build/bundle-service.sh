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
exec esbuild "$@" --bundle --platform=node --target=node24 --format=cjs \
  '--external:@prisma/*' --external:@node-rs/argon2 \
  --external:@opentelemetry/sdk-node '--external:@opentelemetry/instrumentation-*' \
  --external:express --external:pg --external:pino
