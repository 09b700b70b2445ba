#!/usr/bin/env bash
# Install Docker Compose v2 (the reference implementation) as `compose-ref`, the differential oracle of the
# interop tests. Debian bookworm has no compose v2, so only the binary is unpacked from trixie's
# docker-compose package (nothing else from trixie is installed). Idempotent.
set -euo pipefail
DEST=${COMPOSE_REF_BIN:-/usr/local/bin/compose-ref}
if command -v compose-ref >/dev/null 2>&1 && compose-ref version >/dev/null 2>&1; then exit 0; fi
[ "$(id -u)" = 0 ] || { echo "install-compose-ref: not root, cannot install compose-ref" >&2; exit 1; }
x=$(mktemp -d)
trap 'rm -rf "$x"' EXIT
bash "$(dirname "$0")/trixie-download.sh" docker-compose "$x"
install -m 0755 "$x/usr/libexec/docker/cli-plugins/docker-compose" "$DEST"
echo "compose-ref: $("$DEST" version)"
