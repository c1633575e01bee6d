# syntax=docker/dockerfile:1
# The demo API (src/main.ts) as an image: `docker compose up` builds and runs it (see
# docker-compose.yml); alone, `docker build -t rate-limit-demo .` then
# `docker run --init -p 127.0.0.1:3000:3000 -e JWT_SECRET=... rate-limit-demo`.
# Checked without a Docker engine by test/deploy/*.int-spec.ts: they parse this file, replay
# both stages here (COPY lines, the build, the runtime's npm ci) and start what the runtime holds.

# Build: every dependency (TypeScript, type packages), then the package and the demo into dist/.
FROM node:20-bookworm-slim AS build
WORKDIR /app
# The manifests first, so the install layer is reused until they change. No install scripts:
# tsc needs none, and the one a production dependency has (@scarf/scarf) only sends telemetry.
COPY package.json package-lock.json ./
COPY packages/nest-tier-rate-limit/package.json packages/nest-tier-rate-limit/
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY packages/nest-tier-rate-limit/tsconfig.build.json packages/nest-tier-rate-limit/
COPY packages/nest-tier-rate-limit/src packages/nest-tier-rate-limit/src
COPY src src
COPY migrations migrations
COPY scripts scripts
RUN npm run build

# Runtime: production dependencies only. npm ci needs the workspace's manifest to link
# node_modules/nest-tier-rate-limit to packages/nest-tier-rate-limit, whose exports are its dist/.
# --omit=optional too: the lockfile's optional packages are typescript (an optional peer of
# @nestjs/swagger, for its compiler plugin; --omit=dev alone keeps it) and pg-cloudflare
# (Cloudflare Workers only). Neither runs here.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/nest-tier-rate-limit/package.json packages/nest-tier-rate-limit/LICENSE \
  packages/nest-tier-rate-limit/
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund \
  && npm cache clean --force
COPY --from=build /app/packages/nest-tier-rate-limit/dist packages/nest-tier-rate-limit/dist
# The admin web page's HTML, scripts and styles, served as they are.
COPY packages/nest-tier-rate-limit/admin-ui packages/nest-tier-rate-limit/admin-ui
COPY --from=build /app/dist dist
# The code stays root-owned (read-only to the app); only the embedded database's directory
# (PGLITE_DATA_DIR, ./data/ by default, used when DATABASE_URL is unset) is the app's to write.
# Mount a volume there to keep it: -v rate-limit-data:/app/data.
RUN mkdir -p data && chown node:node data
USER node
EXPOSE 3000
# fetch is built into Node 20 (slim images have no curl). /health answers 200 while the API
# serves, also when a backend is down (its body then says "degraded").
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/v1/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node itself, not npm: SIGTERM reaches the app, which shuts down gracefully, then re-raises it to
# exit by the signal; PID 1 ignores that, so run with an init (compose's init: true, docker run
# --init).
CMD ["node", "dist/src/main.js"]
