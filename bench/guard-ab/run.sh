#!/usr/bin/env bash
# A/B of the guard's HTTP hot path between a base revision and the working tree: both builds of
# the package, and an A/A twin of the working tree's, time RateLimitGuard.canActivate on the
# memory store in interleaved rounds of one process (measure.mjs). For changes to the guard.
# Usage: bash bench/guard-ab/run.sh [base revision, default HEAD~1]   (after npm ci in the root)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
base="${1:-HEAD~1}"
out="$root/.ab"
worktree="$(mktemp -d)"
trap 'git -C "$root" worktree remove --force "$worktree"' EXIT
rm -rf "$out" && mkdir -p "$out"
git -C "$root" worktree add -q --detach "$worktree" "$base"
ln -s "$root/node_modules" "$worktree/node_modules"
build() { (cd "$1/packages/nest-tier-rate-limit" && npx tsc -p tsconfig.build.json --outDir "$2/dist"); }
build "$worktree" "$out/base"
build "$root" "$out/tree"
cp -r "$out/tree" "$out/tree-twin"
for variant in base tree tree-twin; do echo '{"type":"module"}' >"$out/$variant/package.json"; done
# Beside the builds, so that every one of them and the script share the root's @nestjs packages.
cp "$root/bench/guard-ab/measure.mjs" "$out/"
echo "base: $(git -C "$root" rev-parse --short "$base"), tree: $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet || echo ' + changes')"
node "$out/measure.mjs"
