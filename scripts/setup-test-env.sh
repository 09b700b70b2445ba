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
# openssl, sshd/ssh and ip: the engine-selection e2e tests (a second engine on a TLS socket in its own network
# namespace; DOCKER_HOST=ssh:// against an sshd on loopback)
# ssh-agent/ssh-add: build ssh forwarding (berth serves key files through an ssh-agent of its own; the e2e tests start one)
for pair in openssl:openssl sshd:openssh-server ssh:openssh-client ssh-keygen:openssh-client ssh-agent:openssh-client ssh-add:openssh-client ip:iproute2; do
  cmd=${pair%%:*} pkg=${pair#*:}
  { command -v "$cmd" >/dev/null 2>&1 || [ -x "/usr/sbin/$cmd" ]; } && continue
  { [ "$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$pkg" >/dev/null; } || fail "$pkg could not be installed"
done
bash "$here/local-registry.sh" || fail "the local test registries did not start"
# the fault tests start a private dockerd in a network namespace of their own (test/helpers/second-engine.ts):
# ip (iproute2), nsenter/unshare/setsid/setpriv (util-linux), and dockerd/containerd (docker.io, see ensure-engine.sh)
need_pkgs=""
command -v ip >/dev/null 2>&1 || need_pkgs="$need_pkgs iproute2"
for t in nsenter unshare setsid setpriv; do command -v "$t" >/dev/null 2>&1 || { need_pkgs="$need_pkgs util-linux"; break; }; done
command -v dockerd >/dev/null 2>&1 && command -v containerd >/dev/null 2>&1 || need_pkgs="$need_pkgs docker.io"
if [ -n "$need_pkgs" ]; then
  { [ "$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need_pkgs >/dev/null; } || fail "could not install$need_pkgs (the fault tests' private engine)"
fi
# the newer engine (Docker 26) that the named-context and cache-export build tests start privately
bash "$here/engine-next.sh" || fail "the newer test engine (scripts/engine-next.sh) could not be installed"
# the stack tests' local swarm (scripts/swarm-cluster.sh): network namespaces, a bridge, iptables, nsenter/unshare
for tool in ip:iproute2 iptables:iptables nsenter:util-linux unshare:util-linux; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || { [ "$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${tool#*:}" >/dev/null; } || fail "${tool#*:} could not be installed (needed by scripts/swarm-cluster.sh)"
done
# chromium: the browser the dashboard tests drive through playwright-core (test/e2e/dashboard.test.ts)
[ -x /usr/bin/chromium ] || { [ "$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || fail "chromium could not be installed (the dashboard's browser tests)"
exit 0
