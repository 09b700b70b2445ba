#!/usr/bin/env bash
# Install Docker Compose v2 (the reference implementation) as `compose-ref`, the differential oracle of the
# interop tests. Debian bookworm has no compose v2, so only the binary is unpacked from trixie's
# docker-compose package (nothing else from trixie is installed). Idempotent.
set -euo pipefail
DEST=${COMPOSE_REF_BIN:-/usr/local/bin/compose-ref}
if command -v compose-ref >/dev/null 2>&1 && compose-ref version >/dev/null 2>&1; then exit 0; fi
[ "$(id -u)" = 0 ] || { echo "install-compose-ref: not root, cannot install compose-ref" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial"
mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
[ -n "$mirror" ] || { echo "install-compose-ref: no Debian mirror in the apt sources" >&2; exit 1; }
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror trixie main" >"$work/sources.list"
apt_opts=(-o Dir::Etc::SourceList="$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o Dir::State::Lists="$work/lists" -o Dir::Cache="$work/cache")
apt-get "${apt_opts[@]}" -qq update 2>/dev/null
(cd "$work" && apt-get "${apt_opts[@]}" -qq download docker-compose 2>/dev/null)
dpkg-deb -x "$work"/docker-compose_*.deb "$work/x"
install -m 0755 "$work/x/usr/libexec/docker/cli-plugins/docker-compose" "$DEST"
echo "compose-ref: $("$DEST" version)"
