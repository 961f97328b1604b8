# Planboard server image: the relay, the REST API and the built web app in one Node process.
# One container is one instance. Alone it stores boards in SQLite under /data; with DATABASE_URL
# and REDIS_URL several containers share PostgreSQL and fan out through Redis (see
# docker-compose.yml and the README section "Running more than one instance").

ARG NODE_VERSION=22

# --- build: the whole workspace, to compile shared/, server/ and the web app ------------------
FROM node:${NODE_VERSION}-bookworm-slim AS build
# better-sqlite3 downloads a prebuilt binary; these build it from source where none exists.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
RUN npm install -g pnpm@12.4.2
WORKDIR /app
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
COPY shared/package.json shared/
COPY server/package.json server/
COPY web/package.json web/
COPY test/package.json test/
RUN pnpm install --frozen-lockfile
COPY tsconfig.base.json ./
COPY shared/ shared/
COPY server/ server/
COPY web/ web/
RUN pnpm run build

# --- deps: only what the server needs at run time ----------------------------------------------
FROM build AS deps
RUN rm -rf node_modules shared/node_modules server/node_modules web/node_modules test/node_modules \
 && pnpm install --frozen-lockfile --prod --filter "@planboard/server..."

# --- runtime -------------------------------------------------------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=deps /app/package.json ./
COPY --from=deps /app/node_modules node_modules/
COPY --from=deps /app/shared/package.json shared/
COPY --from=deps /app/shared/node_modules shared/node_modules/
COPY --from=build /app/shared/dist shared/dist/
COPY --from=deps /app/server/package.json server/
COPY --from=deps /app/server/node_modules server/node_modules/
COPY --from=build /app/server/dist server/dist/
COPY --from=build /app/web/dist web/dist/
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM makes the server tell every client, write every board, then exit.
STOPSIGNAL SIGTERM
CMD ["node", "server/dist/main.js"]
