# syntax=docker/dockerfile:1
# depgate's image. Two stages:
# - build: the full install (`npm ci`), then scripts/build-release.sh: the same two steps .ci/run
#   runs before it starts the result (scripts/check-release.sh), so CI exercises what ships;
# - runtime: only the release (dist/ + production node_modules), run as the unprivileged `node`
#   user with `node dist/main.js` (no ts-node, no sources).
#
#   docker build -t depgate .
#   docker run -e DATABASE_URL=postgres://... -e SECRET_KEY=$(openssl rand -hex 32) -p 4000:4000 depgate
ARG NODE_VERSION=20.19

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN bash scripts/build-release.sh /release

FROM node:${NODE_VERSION}-bookworm-slim
ENV NODE_ENV=production \
    PORT=4000 \
    DATA_DIR=/data
WORKDIR /app
# Owned by root and read-only for the server; only DATA_DIR (the embedded database, used when
# DATABASE_URL is unset) is writable.
COPY --from=build /release ./
RUN mkdir -p /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 4000
# /readyz: the database answers and every migration is applied.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/readyz').then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
# A larger young generation: fewer scavenges of the many short-lived objects a GraphQL list answer
# makes (README, Benchmarks: about a fifth less CPU per device page, for some tens of MB).
CMD ["node", "--max-semi-space-size=64", "--enable-source-maps", "dist/main.js"]
