# Minimal image for now (the deployment issue hardens it): production dependencies only, non-root user.
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 DATA_DIR=/app/data SHEETS_DIR=/app/sheets
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY machines ./machines
COPY services ./services
COPY persistence ./persistence
COPY server ./server
COPY knowledge_base ./knowledge_base
COPY sheets ./sheets
RUN mkdir -p /app/data && chown -R node:node /app/data
USER node
EXPOSE 3000
# Liveness only; a failing probe never kills PID 1 (restarts are left to the restart policy).
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "server/main.ts"]
