#!/usr/bin/env bash
# The package as a host app gets it: packs nest-tier-rate-limit, installs the tarball into two
# fresh NestJS apps outside the source tree (ES modules, and CommonJS as `nest new` makes it), each
# with only its own dependencies, and runs their end-to-end test against real Redis and
# PostgreSQL. Fails when the install pulls a package only the demo needs.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"; for db in "${databases[@]}"; do psql -qX "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null; done' EXIT
PG_ADMIN="${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/test}"
REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/15}"
# Packages of the demo only (embedded database, auth, docs, the other adapter, config), and of
# the transports only the tests use (GraphQL, WebSockets): none may come with the package.
demo_only=(@electric-sql/pglite typeorm-pglite @nestjs/jwt jsonwebtoken @nestjs/swagger
  swagger-ui-dist @nestjs/platform-fastify fastify @fastify/static @nestjs/config
  @nestjs/graphql graphql @nestjs/apollo @apollo/server @nestjs/mercurius mercurius
  @nestjs/websockets @nestjs/platform-socket.io socket.io @nestjs/platform-ws ws)
databases=()

tarball="$(cd "$root" && npm pack -w nest-tier-rate-limit --pack-destination "$work" --silent)"
tarball="$work/$(basename "$tarball")"
echo "tarball: $(basename "$tarball"), $(du -k "$tarball" | cut -f1) KB, $(tar tzf "$tarball" | wc -l) files"
unwanted="$(tar tzf "$tarball" | grep -E '\.spec\.|/test/|/bench/|/src/|\.lua$' || true)"
if [ -n "$unwanted" ]; then
  printf 'the tarball holds files a host app should not get:\n%s\n' "$unwanted" >&2
  exit 1
fi

for kind in esm cjs; do
  app="$work/$kind"
  mkdir -p "$app"
  cp -r "$here/app/." "$app/"
  cp "$here/$kind.package.json" "$app/package.json"
  cp "$here/tsconfig.fixture.json" "$app/tsconfig.json"
  echo "== $kind: npm install (its own dependencies and the tarball)"
  (cd "$app" && npm install --no-audit --no-fund --loglevel=error "$tarball")
  installed="$(cd "$app" && npm ls --all --parseable 2>/dev/null)"
  for name in "${demo_only[@]}"; do
    if grep -q "/node_modules/$name\$" <<<"$installed"; then
      echo "$kind: the tarball pulled $name, a package only the demo or its tests need" >&2
      exit 1
    fi
  done
  echo "$kind: $(tail -n +2 <<<"$installed" | wc -l) packages installed"
  db="consumer_${kind}_$$"
  databases+=("$db")
  psql -qX "$PG_ADMIN" -c "CREATE DATABASE $db" >/dev/null
  database_url="${PG_ADMIN%/*}/$db"
  echo "== $kind: build and end-to-end test"
  (cd "$app" && DATABASE_URL="$database_url" REDIS_URL="$REDIS_URL" npm test --silent)
done
