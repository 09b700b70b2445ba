#!/usr/bin/env bash
# Quick start: make an engine answer, build berth, bring up examples/quickstart and show it.
# WEB_PORT (default 8080) and COMPOSE_PROJECT_NAME (default quickstart) are the stack's own knobs;
# BERTH_DEMO_SKIP_BUILD=1 uses the build already there (the e2e test runs the demo against the tree under test).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/ensure-engine.sh"
[ "${BERTH_DEMO_SKIP_BUILD:-}" = 1 ] || (cd "$root" && npm run --silent build)
cd "$root/examples/quickstart"
node "$root/bin/berth.js" up --wait
node "$root/bin/berth.js" ps
# `port` prints what compose's does: 127.0.0.1:<published>
address=$(node "$root/bin/berth.js" port web 8080)
echo
echo "web is up: curl http://${address}/   (stop it with: node bin/berth.js --project-directory examples/quickstart down)"
curl -fsS --retry 5 --retry-connrefused --retry-delay 1 "http://${address}/"
