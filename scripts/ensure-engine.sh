#!/usr/bin/env bash
# Make a Docker Engine answer (DOCKER_HOST or /var/run/docker.sock) and import the offline test image
# busybox:local (also tagged busybox:latest). Idempotent.
#  - as root, installs Debian's docker.io, iptables and busybox-static when missing
#  - clears a stale pid file left by a killed dockerd, starts dockerd in the background, waits for it
#  - builds the test image from the static busybox: no registry is reachable, nothing can be pulled
# Exit 0 when the engine answers, 1 otherwise (with one line saying why).
set -euo pipefail
LOG=${DOCKERD_LOG:-/tmp/berth-dockerd.log}

engine_up() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }
say() { echo "ensure-engine: $*" >&2; }

if ! command -v docker >/dev/null 2>&1 || ! engine_up; then
  if ! command -v dockerd >/dev/null 2>&1 || ! command -v iptables >/dev/null 2>&1 || [ ! -x /bin/busybox ]; then
    if [ "$(id -u)" != 0 ]; then say "dockerd is not installed and this is not root: install docker.io (Debian) or start an engine"; exit 1; fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq docker.io iptables busybox-static >/dev/null
  fi
  if [ -z "${DOCKER_HOST:-}" ] && ! engine_up; then
    if [ "$(id -u)" != 0 ]; then say "no engine answers and starting dockerd needs root"; exit 1; fi
    for pidfile in /var/run/docker.pid /run/docker/containerd/containerd.pid; do
      if [ -f "$pidfile" ] && ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then rm -f "$pidfile"; fi
    done
    setsid nohup dockerd >"$LOG" 2>&1 </dev/null &
    for _ in $(seq 1 120); do engine_up && break; sleep 0.5; done
  fi
  engine_up || { say "the engine did not come up; see $LOG"; tail -n 20 "$LOG" >&2 2>/dev/null || true; exit 1; }
fi

if ! docker image inspect busybox:local >/dev/null 2>&1; then
  if [ ! -x /bin/busybox ]; then
    [ "$(id -u)" = 0 ] || { say "busybox-static is missing and this is not root"; exit 1; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq busybox-static >/dev/null
  fi
  root=$(mktemp -d)
  trap 'rm -rf "$root"' EXIT
  mkdir -p "$root/bin" "$root/tmp" "$root/etc" "$root/www" "$root/data"
  cp /bin/busybox "$root/bin/busybox"
  for applet in $(/bin/busybox --list); do [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"; done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
  tar -C "$root" -cf - . | docker import -c 'CMD ["/bin/sh"]' -c 'ENV PATH=/bin' - busybox:local >/dev/null
fi
docker image inspect busybox:latest >/dev/null 2>&1 || docker tag busybox:local busybox:latest
echo "engine: $(docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})')"
