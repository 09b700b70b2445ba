#!/usr/bin/env bash
# Download one package of Debian trixie and unpack it (dpkg-deb -x) into DEST, without installing anything
# from trixie: apt-get with a private source list, lists and cache under a temporary directory, asking the
# Debian mirror this machine is already configured with for the trixie suite. For the few binaries the
# tests need that bookworm lacks (compose v2, a newer dockerd).
# Usage: trixie-download.sh <package> <dest>
set -euo pipefail
pkg=$1 dest=$2
[ "$(id -u)" = 0 ] || { echo "trixie-download: not root, cannot download $pkg" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial"
mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
[ -n "$mirror" ] || { echo "trixie-download: no Debian mirror in the apt sources" >&2; exit 1; }
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror trixie main" >"$work/sources.list"
apt_opts=(-o Dir::Etc::SourceList="$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o Dir::State::Lists="$work/lists" -o Dir::Cache="$work/cache")
apt-get "${apt_opts[@]}" -qq update 2>/dev/null
(cd "$work" && apt-get "${apt_opts[@]}" -qq download "$pkg" 2>/dev/null)
mkdir -p "$dest"
dpkg-deb -x "$work"/"${pkg}"_*.deb "$dest"
