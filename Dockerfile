# One Dockerfile for every service. Targets:
#   runtime (default)  one service:      docker build --build-arg APP=orders-service -t dja/orders-service .
#   migrate            the Prisma CLI and every service's migrations, for the one-shot jobs:
#                      docker run ... dja/migrate node_modules/.bin/prisma migrate deploy --config apps/orders-service/prisma.config.ts
#   gateway            nginx with the gateway template and the built console
# docker-compose.yml builds all of them. The build stage bundles all four services, so the
# image of each service reuses one cached build. Plain `docker build` (no BuildKit, no buildx)
# builds it: no `# syntax=` line (its frontend image would be pulled), no BuildKit-only flags.

# Node 24 LTS, pinned to a minor (package.json `engines`: >=24).
ARG NODE_IMAGE=node:24.11-bookworm-slim

FROM ${NODE_IMAGE} AS base
WORKDIR /repo
ENV NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false CI=true

# Every dependency, dev tools included (Nx, esbuild, the Prisma CLI): for building and migrating.
FROM base AS deps
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# The Prisma clients are generated here (the build target depends on prisma-generate) and
# bundled into each dist/apps/<app>/main.js with the plain-JavaScript packages; what stays in
# node_modules is what cannot be bundled (Prisma's runtime, argon2) or must be patched when
# tracing is on (express, pg, pino, the OpenTelemetry SDK): tools/build/bundle-service.sh.
FROM deps AS build
COPY nx.json tsconfig.base.json jest.preset.js ./
COPY libs libs
COPY tools tools
COPY apps apps
RUN npx nx run-many -t build -p auth-service,orders-service,profile-service,notifications-service,console

# Production dependencies only, pruned from the full install (no second download). Peer
# dependencies are not added: @prisma/client names the Prisma CLI as one, which would bring the
# CLI, its studio and a TypeScript compiler (over 200 MB) into every service image.
# @prisma/client ships a query compiler for every database it supports (and source maps):
# 72 MB, of which the services load only PostgreSQL's.
FROM deps AS prod-deps
RUN npm prune --omit=dev --legacy-peer-deps --no-audit --no-fund \
 && find node_modules/@prisma/client/runtime -type f \( -name '*.map' -o -name 'wasm-compiler-edge*' \
      -o \( -name 'query_compiler_*' ! -name '*.postgresql.*' \) \) -delete

# The one-shot migration jobs: `prisma migrate deploy` needs the CLI, a devDependency.
# CHECKPOINT_DISABLE: the CLI otherwise phones Prisma's update check first, and where containers
# have no route out it waits minutes for that to time out.
FROM deps AS migrate
ENV CHECKPOINT_DISABLE=1
COPY apps/auth-service/prisma.config.ts apps/auth-service/
COPY apps/auth-service/prisma apps/auth-service/prisma
COPY apps/orders-service/prisma.config.ts apps/orders-service/
COPY apps/orders-service/prisma apps/orders-service/prisma
COPY apps/profile-service/prisma.config.ts apps/profile-service/
COPY apps/profile-service/prisma apps/profile-service/prisma
COPY apps/notifications-service/prisma.config.ts apps/notifications-service/
COPY apps/notifications-service/prisma apps/notifications-service/prisma
COPY infra/docker/entrypoint.sh /usr/local/bin/entrypoint
COPY infra/docker/replica-name.cjs /usr/local/bin/replica-name.cjs
# Fetches the schema engine now (if npm ci's install script did not), while node_modules is writable.
RUN node_modules/.bin/prisma --version
USER node
ENTRYPOINT ["/usr/local/bin/entrypoint"]
CMD ["node_modules/.bin/prisma", "--version"]

# The gateway: nginx, the one gateway template (filled by the image's envsubst at start) and
# the console's static files.
FROM nginx:1.27-alpine AS gateway
COPY infra/gateway/gateway.conf.template /etc/nginx/templates/default.conf.template
COPY --from=build /repo/dist/apps/console /usr/share/nginx/console

# One service: its bundle, production node_modules, no compilers, no package manager needed.
# It writes nothing to its file system (logs go to stdout), so it runs with `--read-only`.
FROM ${NODE_IMAGE} AS runtime
ARG APP
WORKDIR /app
ENV NODE_ENV=production PORT=3000 OPERATIONS_PORT=9000 APP=${APP}
RUN test -n "${APP}" || (echo 'build with --build-arg APP=<auth-service|orders-service|profile-service|notifications-service>' >&2 && exit 1)
# The base image may carry npm's cache from its own making; a service has no use for it.
RUN rm -rf /root/.npm /home/node/.npm /tmp/*
COPY --from=prod-deps /repo/node_modules ./node_modules
COPY --from=prod-deps /repo/package.json ./
COPY --from=build /repo/dist/apps/${APP} ./dist
COPY infra/docker/entrypoint.sh /usr/local/bin/entrypoint
COPY infra/docker/replica-name.cjs /usr/local/bin/replica-name.cjs
# Files stay owned by root: the service cannot change its own code or dependencies.
USER node
# 3000 is the API (what the gateway forwards to); 9000 is /healthz, /readyz and /metrics, which
# only Prometheus and health checks reach.
EXPOSE 3000 9000
# Ready, not only alive: compose starts what depends on a service once its database, broker
# and keys answer (/readyz), and the gateway never gets a replica that cannot serve.
HEALTHCHECK --interval=5s --timeout=10s --start-period=120s --retries=6 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.OPERATIONS_PORT || 9000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/local/bin/entrypoint"]
# Node's flags: NODE_FLAGS of tools/stack/src/replica.ts, the same in `npm run stack`.
CMD ["node", "--max-semi-space-size=8", "dist/main.js"]
