# Build stage: full install (argon2 compiles its native module here if no prebuilt one fits),
# compile TypeScript (the build also copies ReDoc's bundle next to the code and builds the console
# into admin/dist), then drop the dev dependencies (the console's are all dev: it ships as files).
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY admin/package.json ./admin/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# Runtime stage: production dependencies and the compiled service only, as the unprivileged
# `node` user. The server applies pending migrations at start (DB_RUN_MIGRATIONS, default true;
# several replicas take turns on an advisory lock) and stops gracefully on SIGTERM.
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    PORT=8000
WORKDIR /app
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/admin/dist ./admin/dist
COPY --from=build --chown=node:node /app/package.json ./package.json
COPY --from=build --chown=node:node /app/scripts/thread-pool.cjs ./scripts/thread-pool.cjs
USER node
EXPOSE 8000
# Ready = the database answers; an orchestrator stops routing to (and restarts) an unready container.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8000) + '/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# One server process per container (scale with replicas). For every CPU of one container:
#   command: ["node", "-r", "./scripts/thread-pool.cjs", "--max-old-space-size=128", "dist/scripts/cluster.js"]
# Sample data: docker compose exec api node dist/scripts/seed.js (with SEED_PASSWORD set).
# The node flags are npm start's: the thread-pool preload and the heap limit (see "Memory" in the README).
CMD ["node", "-r", "./scripts/thread-pool.cjs", "--max-old-space-size=128", "dist/src/main.js"]
