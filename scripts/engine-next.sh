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
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial"
mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
[ -n "$mirror" ] || { echo "engine-next: no Debian mirror in the apt sources" >&2; exit 1; }
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror trixie main" >"$work/sources.list"
apt_opts=(-o Dir::Etc::SourceList="$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o Dir::State::Lists="$work/lists" -o Dir::Cache="$work/cache")
apt-get "${apt_opts[@]}" -qq update 2>/dev/null
(cd "$work" && apt-get "${apt_opts[@]}" -qq download docker.io 2>/dev/null)
dpkg-deb -x "$work"/docker.io_*.deb "$work/x"
mkdir -p "$DIR/bin"
install -m 0755 "$work/x/usr/sbin/dockerd" "$work/x/usr/sbin/docker-proxy" "$DIR/bin/"
echo "engine-next: $("$DIR/bin/dockerd" --version)"
