# Production image of the negotiation agent: `docker-compose up -d --build` (see docker-compose.yml).
# TypeScript runs natively on Node 24; there is no build step. Works with the classic builder and BuildKit alike.
# Offline (no Docker Hub): scripts/docker-base-image.sh builds a local stand-in for the base image first.
#
# Three stages on the same base image:
#   deps    - `npm ci --omit=dev` of the locked dependencies, then only what runs is kept: this platform's
#             SQLite addon, no source maps, type declarations, TypeScript sources or Markdown (licences stay).
#   root    - the base's file system without npm, npx, corepack, yarn and the C headers (nothing at run time
#             needs them; a package manager in a production container is only attack surface).
#   runtime - that file system as one layer, then the dependencies and the sources as the app layers.
# Size targets (checked by `npm run test:docker`): app (node_modules + sources) <= 60 MB, image <= 300 MB.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV NODE_ENV=production NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
# Build-time only, for networks whose egress re-signs TLS (an intercepting proxy): extra CA certificates (PEM
# text) that npm trusts while installing, and another registry. Neither reaches the runtime image.
ARG NPM_EXTRA_CA=""
ARG NPM_CONFIG_REGISTRY=""
COPY package.json package-lock.json .npmrc ./
# better-sqlite3 ships its native addon prebuilt inside the package (prebuilds/<platform>-<arch>.node; no install
# script, none allowed: package.json allowScripts), so no compiler is needed. Only this platform's addon is kept
# and the SQLite sources go; the addon must load before the stage ends. Node cannot run TypeScript from
# node_modules, so *.ts there are only sources for debuggers, like the maps.
RUN if [ -n "$NPM_EXTRA_CA" ]; then printf '%s\n' "$NPM_EXTRA_CA" >/tmp/extra-ca.pem \
      && export NODE_EXTRA_CA_CERTS=/tmp/extra-ca.pem; fi \
  && if [ -z "$NPM_CONFIG_REGISTRY" ]; then unset NPM_CONFIG_REGISTRY; fi \
  && npm ci --omit=dev \
  && rm -rf /tmp/extra-ca.pem /root/.npm \
  && target="$(node -p 'process.platform + "-" + process.arch')" \
  && find node_modules/better-sqlite3/prebuilds -type f ! -name "$target.node" -delete \
  && rm -rf node_modules/better-sqlite3/deps node_modules/better-sqlite3/src \
  && find node_modules -type f \( -name '*.map' -o -name '*.ts' -o -name '*.mts' -o -name '*.cts' \
       -o \( -iname '*.md' ! -iname 'licen[cs]e*' ! -iname 'notice*' ! -iname 'copying*' \) \) -delete \
  && node -e "const D = require('better-sqlite3'); new D(':memory:').prepare('select 1').get()"

FROM ${NODE_IMAGE} AS root
RUN rm -rf /usr/local/lib/node_modules /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
      /usr/local/bin/yarn /usr/local/bin/yarnpkg /opt/yarn-* /usr/local/include /usr/local/share/doc \
      /usr/local/share/man /usr/local/CHANGELOG.md /usr/local/README.md /usr/local/LICENSE /root/.npm /tmp/* \
  && mkdir -p /app/data /app/credentials \
  && chown node:node /app/data /app/credentials \
  && chmod 700 /app/data /app/credentials

FROM scratch
COPY --from=root / /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    NODE_ENV=production \
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
# Online backup and checked restore (README "Backup and restore"): `docker-compose exec agent node scripts/backup.ts`.
COPY scripts/backup.ts scripts/restore.ts scripts/sqlite-file.ts ./scripts/
USER node
EXPOSE 3000
# Liveness only (never /ready), on the port the service really uses: bash's /dev/tcp sends GET /health and the
# status line must say 200 (a few milliseconds; a `node -e fetch` probe would start a whole runtime each time).
# Every 2 s, so the container reports healthy within 2 s of the agent being ready (Docker runs the first probe
# one interval after the start). A failing probe only marks the container unhealthy; it never kills PID 1 (that
# could cut an email send short) — restarts are the restart policy's job.
HEALTHCHECK --interval=2s --timeout=3s --start-period=60s --retries=5 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${PORT:-3000} && printf 'GET /health HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && read -r -t 3 status <&3 && [[ $status == 'HTTP/1.1 200 '* ]]"]
# Node is PID 1 and handles SIGTERM itself: stops accepting, lets in-flight emails finish (SHUTDOWN_GRACE_MS,
# max 9 s), closes the databases; give it more than 10 s (docker-compose.yml: stop_grace_period).
STOPSIGNAL SIGTERM
CMD ["node", "server/main.ts"]
