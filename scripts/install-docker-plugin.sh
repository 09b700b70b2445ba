#!/usr/bin/env bash
# Install berth as the Docker CLI plugin "compose", so that `docker compose ...` runs berth:
# $DOCKER_CONFIG/cli-plugins/docker-compose (default ~/.docker/cli-plugins) becomes a link to bin/berth.js. The
# docker CLI searches that directory before the system plugin directories, so berth takes the place of a
# Docker Compose installed system-wide for this user only. `--uninstall` removes the link (only if it is ours).
# A docker-compose there that is not a link to berth is left alone: the script stops and says so.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
berth="$root/bin/berth.js"
dir="${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins"
link="$dir/docker-compose"

ours() { [ -L "$link" ] && [ "$(readlink -f "$link")" = "$(readlink -f "$berth")" ]; }

if [ "${1:-}" = "--uninstall" ]; then
  if ours; then rm "$link"; echo "removed $link"; else echo "install-docker-plugin: $link is not a link to berth; left alone" >&2; exit 1; fi
  exit 0
fi
[ -f "$root/dist/cli-bundle/berth.cjs" ] || { echo "install-docker-plugin: berth is not built (run npm run build first)" >&2; exit 1; }
if [ -e "$link" ] || [ -L "$link" ]; then
  if ours; then echo "$link already runs berth"; exit 0; fi
  echo "install-docker-plugin: $link exists and is not berth; move it aside first (berth does not overwrite it)" >&2
  exit 1
fi
mkdir -p "$dir"
ln -s "$berth" "$link"
echo "installed: docker compose now runs berth ($link -> $berth)"
