#!/usr/bin/env bash
# Quick start: make an engine answer, build berth, bring up examples/quickstart and show it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/ensure-engine.sh"
(cd "$root" && npm run --silent build)
cd "$root/examples/quickstart"
node "$root/bin/berth.js" up --wait
node "$root/bin/berth.js" ps
port=$(node "$root/bin/berth.js" ps --format json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{for(const l of s.trim().split("\n")){const c=JSON.parse(l);for(const p of c.Publishers)if(p.PublishedPort)console.log(p.PublishedPort)}})' | head -n1)
echo
echo "web is up: curl http://127.0.0.1:${port}/   (stop it with: node bin/berth.js --project-directory examples/quickstart down)"
curl -fsS "http://127.0.0.1:${port}/" || true
