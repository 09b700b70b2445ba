#!/usr/bin/env bash
# Everything the tests need besides npm packages: a Docker Engine with the offline test image, and
# compose-ref for the interop tests. With CI=true any failure fails the run (the e2e tests must run there);
# elsewhere a missing engine is reported and the e2e tests skip with a notice.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ci=${CI:-}
fail() {
  if [ -n "$ci" ] && [ "$ci" != "false" ] && [ "$ci" != "0" ]; then echo "setup-test-env: $* (CI: failing)" >&2; exit 1; fi
  echo "setup-test-env: $* — the end-to-end tests will be skipped. Run as root or start a Docker engine: bash scripts/ensure-engine.sh" >&2
  exit 0
}
bash "$here/ensure-engine.sh" || fail "no Docker engine"
bash "$here/install-compose-ref.sh" || fail "compose-ref could not be installed"
# tmux: the pseudo-terminal of the interactive e2e tests (attached up + Ctrl-C, exec with a TTY)
command -v tmux >/dev/null 2>&1 || { [ "$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tmux >/dev/null; } || fail "tmux could not be installed"
bash "$here/local-registry.sh" || fail "the local test registries did not start"
# the stack tests' local swarm (scripts/swarm-cluster.sh): network namespaces, a bridge, iptables, nsenter/unshare
for tool in ip:iproute2 iptables:iptables nsenter:util-linux unshare:util-linux; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || { [ "$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${tool#*:}" >/dev/null; } || fail "${tool#*:} could not be installed (needed by scripts/swarm-cluster.sh)"
done
exit 0
