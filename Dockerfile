# syntax=docker/dockerfile:1
# One image for every Runstream process; the first argument picks it (deploy/docker/entrypoint.sh):
#   docker run runstream ingest|materializer|query|control|notifier|agent|migrate|tokens ...
# and, with --target runner, the image of the Kubernetes backend's job pods.
# Containers use a ClickHouse server (CLICKHOUSE_URL): embedded chDB binds a data directory to
# one process. Its native library still ships (chdb is a runtime dependency) but stays unused.
# docs/deploy.md describes the image and deploy/compose/compose.yaml runs the whole system.

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json tsconfig.build.json ./
COPY libs libs
COPY apps apps
COPY scripts scripts
RUN npm run build

# The Kubernetes backend's runner image (docs/kubernetes.md): `docker build --target runner`. Its
# entrypoint runs the container's args as the job's program and reports the run. Extend it with
# the tools your jobs run (dbt, sqlmesh). It comes before `runtime` so that a plain build still
# produces the apps' image (the last stage).
FROM ${NODE_IMAGE} AS runner
ENV NODE_ENV=production \
    TZ=UTC
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /src/dist ./dist
COPY --chmod=0755 deploy/docker/entrypoint.sh ./deploy/docker/
USER 1000:1000
ENTRYPOINT ["/app/deploy/docker/entrypoint.sh", "runner"]
CMD []

FROM ${NODE_IMAGE} AS runtime
# HOST and the metrics hosts: listen on every interface of the container, not only loopback.
ENV NODE_ENV=production \
    TZ=UTC \
    HOST=0.0.0.0 \
    MATERIALIZER_METRICS_HOST=0.0.0.0 \
    NOTIFIER_METRICS_HOST=0.0.0.0 \
    CLICKHOUSE_PATH=/app/.data/chdb
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /src/dist ./dist
COPY --chmod=0755 deploy/docker/entrypoint.sh deploy/docker/healthcheck.js ./deploy/docker/
# The only writable place: chDB's directory, for one-off commands run without CLICKHOUSE_URL.
RUN mkdir -p /app/.data && chown node:node /app/.data
# The base image's `node` user, numeric so Kubernetes' runAsNonRoot can verify it (deploy/k8s runs as 1000:1000).
USER 1000:1000
# ingest, query, materializer metrics, control, notifier metrics
EXPOSE 3000 3001 3002 3003 3004 8123
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "/app/deploy/docker/healthcheck.js"]
ENTRYPOINT ["/app/deploy/docker/entrypoint.sh"]
CMD ["ingest"]
