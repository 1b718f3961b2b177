#!/bin/sh
# The real-OpenClaw integration test (npm run test:openclaw). Self-contained:
#   1. installs node@24 and openclaw@2026.9.6 from the npm registry into a cache folder outside the
#      repo (${CLAWNEX_OPENCLAW_CACHE:-$HOME/.cache/clawnex-openclaw}), in two steps because
#      OpenClaw's preinstall refuses Node < 24, and reuses the cache when the versions match;
#   2. runs test/openclaw-e2e/ with OPENCLAW_E2E_BIN pointing at that install.
# The test keeps OpenClaw offline and inside a private temp state dir, wraps every openclaw command
# in timeout(1), and stops the processes it started. Nothing from the install lands in the repo.
set -eu

OPENCLAW_VERSION="2026.9.6"
CACHE="${CLAWNEX_OPENCLAW_CACHE:-$HOME/.cache/clawnex-openclaw}"
HERE=$(cd "$(dirname "$0")/.." && pwd)
NODE="$HERE/node_modules/.bin/node"
BIN="$CACHE/node_modules/.bin/openclaw"

installed_version() {
  sed -n 's/^  "version": "\(.*\)",$/\1/p' "$CACHE/node_modules/openclaw/package.json" 2>/dev/null | head -1
}

if [ ! -x "$BIN" ] || [ "$(installed_version)" != "$OPENCLAW_VERSION" ] || [ ! -x "$CACHE/node_modules/.bin/node" ]; then
  echo "openclaw-e2e: installing node@24 and openclaw@$OPENCLAW_VERSION into $CACHE" >&2
  mkdir -p "$CACHE"
  [ -f "$CACHE/package.json" ] || echo '{"name":"clawnex-openclaw-cache","private":true}' > "$CACHE/package.json"
  (cd "$CACHE" && timeout 600 npm install --no-audit --no-fund --loglevel=error node@24 >&2)
  (cd "$CACHE" && PATH="$CACHE/node_modules/.bin:$PATH" timeout 900 npm install --no-audit --no-fund --loglevel=error "openclaw@$OPENCLAW_VERSION" >&2)
fi

echo "openclaw-e2e: $(PATH="$CACHE/node_modules/.bin:$PATH" timeout 60 "$BIN" --version 2>/dev/null | tail -1) (node $("$CACHE/node_modules/.bin/node" --version))" >&2
cd "$HERE"
OPENCLAW_E2E_BIN="$BIN" exec "$NODE" --test --test-timeout=600000 'test/openclaw-e2e/**/*.test.ts'
