# Production image of the negotiation agent: `docker-compose up -d --build` (see docker-compose.yml).
# Two stages on the same base: `deps` installs the locked production dependencies, the runtime stage holds
# Node, those node_modules and the sources server/main.ts loads at run time (TypeScript runs natively on
# Node 24; there is no build step). Works with the classic builder and BuildKit alike (no BuildKit-only syntax).
# Offline machines: scripts/docker-base-image.sh builds a local stand-in for the base image.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV NODE_ENV=production NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
# Build-time only, for networks whose egress re-signs TLS (an intercepting proxy): extra CA certificates (PEM
# text) that npm trusts while installing, and another registry. Neither reaches the runtime image.
ARG NPM_EXTRA_CA=""
ARG NPM_CONFIG_REGISTRY=""
COPY package.json package-lock.json ./
# better-sqlite3 ships its native addon prebuilt inside the package (prebuilds/<platform>-<arch>.node; no install
# script, none allowed: package.json allowScripts), so no compiler is needed. Only this platform's addon is kept;
# the SQLite and C++ sources for building from source (10 MB) go, and the addon must load before the stage ends.
RUN if [ -n "$NPM_EXTRA_CA" ]; then printf '%s\n' "$NPM_EXTRA_CA" >/tmp/extra-ca.pem \
      && export NODE_EXTRA_CA_CERTS=/tmp/extra-ca.pem; fi \
  && if [ -z "$NPM_CONFIG_REGISTRY" ]; then unset NPM_CONFIG_REGISTRY; fi \
  && npm ci --omit=dev \
  && rm -f /tmp/extra-ca.pem \
  && target="$(node -p 'process.platform + "-" + process.arch')" \
  && find node_modules/better-sqlite3/prebuilds -type f ! -name "$target.node" -delete \
  && rm -rf node_modules/better-sqlite3/deps node_modules/better-sqlite3/src \
  && node -e "const D = require('better-sqlite3'); new D(':memory:').prepare('select 1').get()"

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/app/data \
    SHEETS_DIR=/app/sheets
WORKDIR /app
# Code and dependencies stay root-owned (read-only to the service); only data/ and credentials/ belong to node.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY machines ./machines
COPY services ./services
COPY persistence ./persistence
COPY server ./server
COPY knowledge_base ./knowledge_base
COPY config ./config
COPY web ./web
COPY sheets ./sheets
RUN mkdir -p /app/data /app/credentials \
  && chown node:node /app/data /app/credentials \
  && chmod 700 /app/data /app/credentials \
  && node -e "const D = require('better-sqlite3'); new D(':memory:').prepare('select sqlite_version()').get()"
USER node
EXPOSE 3000
# Liveness only (never /ready), on the port the service really uses. A failing probe only marks the container
# unhealthy; it never kills PID 1 (that could cut an email send short) — restarts are the restart policy's job.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health', { signal: AbortSignal.timeout(8000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node is PID 1 and handles SIGTERM itself: stops accepting, lets in-flight emails finish (SHUTDOWN_GRACE_MS,
# max 9 s), closes the databases; give it more than 10 s (docker-compose.yml: stop_grace_period).
STOPSIGNAL SIGTERM
CMD ["node", "server/main.ts"]
