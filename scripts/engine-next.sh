#!/usr/bin/env bash
# A newer Docker Engine for the tests that need what Docker 20.10 (Debian bookworm's docker.io, the main test
# engine) lacks: Docker 26 (Debian trixie's docker.io) embeds BuildKit 0.13, whose Dockerfile frontend has
# named build contexts (compose's additional_contexts) and whose builder exports caches (cache_to). Only the
# daemon's binaries are unpacked, into $ENGINE_NEXT_DIR/bin (default /opt/berth/engine-next); nothing from
# trixie is installed, and this engine is never the main one: tests start it privately, in a network
# namespace of their own (test/helpers/second-engine.ts), with bookworm's containerd and runc. Idempotent.
set -euo pipefail
DIR=${ENGINE_NEXT_DIR:-/opt/berth/engine-next}
if [ -x "$DIR/bin/dockerd" ] && "$DIR/bin/dockerd" --version >/dev/null 2>&1; then exit 0; fi
[ "$(id -u)" = 0 ] || { echo "engine-next: not root, cannot install the newer engine" >&2; exit 1; }
x=$(mktemp -d)
trap 'rm -rf "$x"' EXIT
bash "$(dirname "$0")/trixie-download.sh" docker.io "$x"
mkdir -p "$DIR/bin"
install -m 0755 "$x/usr/sbin/dockerd" "$x/usr/sbin/docker-proxy" "$DIR/bin/"
echo "engine-next: $("$DIR/bin/dockerd" --version)"
