#!/usr/bin/env bash
# A local Docker Swarm for the stack tests: N extra dockerd processes, each in a network namespace of its own,
# joined into one swarm (node 1 the manager, the others workers). It never touches the main engine: no swarm
# init there, no change to its networks; the only shared state is one iptables rule that lets the cluster's
# bridge forward to itself (the host's FORWARD policy is DROP), removed again by `down`.
#
#   scripts/swarm-cluster.sh up N [DIR]   start (after tearing down what an earlier run left), print the sockets
#   scripts/swarm-cluster.sh down [DIR]   stop everything `up` made; safe to run twice or after a crash
#
# DIR (default /tmp/$PREFIX-cluster-default) holds every node's data-root, exec-root, socket and pidfile, and
# `env` (a shell file: SWARM_MANAGER=unix://…, SWARM_NODES="unix://… …"). Names come from SWARM_PREFIX (default
# b18): netns PREFIXn1.., bridge PREFIXbr0, veths PREFIXv…; addresses from SWARM_SUBNET (default 10.218, giving
# nodes 10.218.0.i/24, their dockerd pools 10.218.16i.0/20, host side .254) and SWARM_POOL (default
# 10.219.0.0/16, the swarm's overlay pool). SWARM_IMAGES (default busybox:local) are copied from the main
# engine into every node, since the nodes have no route out (a default route makes each deploy wait ~25 s on a
# registry look-up before it settles for the local image).
set -euo pipefail

P=${SWARM_PREFIX:-b18}
NET=${SWARM_SUBNET:-10.218}
POOL=${SWARM_POOL:-10.219.0.0/16}
IMAGES=${SWARM_IMAGES:-busybox:local}
BR=${P}br0
MAIN_DOCKER=${SWARM_MAIN_DOCKER:-docker}

cmd=${1:-}
die() { echo "swarm-cluster: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (network namespaces, a bridge, dockerd)"
for tool in ip iptables dockerd nsenter unshare setsid docker; do command -v "$tool" >/dev/null || die "missing $tool (scripts/setup-test-env.sh installs it)"; done

# The rule goes into DOCKER-USER when the main engine made one (it jumps there first from FORWARD), else FORWARD.
chain() { if iptables -S DOCKER-USER >/dev/null 2>&1; then echo DOCKER-USER; else echo FORWARD; fi; }

down() {
  local dir=$1
  # every process inside our namespaces is ours: dockerd, its containerd, shims, task processes
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^${P}n[0-9]+$" || true); do
    local pids
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    # dockerd first, gently, so it can stop its containers; then whatever is left
    for pf in "$dir"/n*/docker.pid; do
      [ -f "$pf" ] || continue
      local pid; pid=$(cat "$pf")
      if echo "$pids" | grep -qx "$pid"; then kill -TERM "$pid" 2>/dev/null || true; fi
    done
  done
  for _ in $(seq 1 50); do
    local alive=0
    for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^${P}n[0-9]+$" || true); do
      [ -n "$(ip netns pids "$ns" 2>/dev/null)" ] && alive=1
    done
    [ $alive = 0 ] && break
    sleep 0.2
  done
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^${P}n[0-9]+$" || true); do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  done
  for link in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -E "^${P}v" || true); do ip link del "$link" 2>/dev/null || true; done
  ip link del "$BR" 2>/dev/null || true
  local c; c=$(chain)
  while iptables -C "$c" -i "$BR" -o "$BR" -j ACCEPT 2>/dev/null; do iptables -D "$c" -i "$BR" -o "$BR" -j ACCEPT; done
  # the data-roots' mounts lived in the daemons' own mount namespaces, gone with them
  [ -d "$dir" ] && rm -rf --one-file-system "$dir"
  return 0
}

wait_for() { # socket
  for _ in $(seq 1 150); do docker -H "unix://$1" version >/dev/null 2>&1 && return 0; sleep 0.1; done
  return 1
}

up() {
  local n=$1 dir=$2
  [[ "$n" =~ ^[1-9]$ ]] || die "up N: N from 1 to 9"
  down "$dir"
  mkdir -p "$dir"
  chmod 700 "$dir"
  echo '{}' >"$dir/daemon.json"
  ip link add "$BR" type bridge
  ip addr add "$NET.0.254/24" dev "$BR"
  ip link set "$BR" up
  iptables -I "$(chain)" -i "$BR" -o "$BR" -j ACCEPT
  local sockets=()
  for i in $(seq 1 "$n"); do
    local ns=${P}n$i nd=$dir/n$i
    mkdir -p "$nd/data" "$nd/exec"
    ip netns add "$ns"
    ip link add "${P}v${i}h" type veth peer name "${P}v${i}n"
    ip link set "${P}v${i}h" master "$BR" up
    ip link set "${P}v${i}n" netns "$ns"
    ip -n "$ns" link set lo up
    ip -n "$ns" addr add "$NET.0.$i/24" dev "${P}v${i}n"
    ip -n "$ns" link set "${P}v${i}n" up
    # no default route on purpose (see the header)
    # its own UTS namespace too, so each node has its own hostname (docker node ls, stack ps)
    setsid nsenter --net="/run/netns/$ns" -- unshare --mount --uts --propagation slave -- \
      sh -c 'hostname "$0"; exec "$@"' "$ns" dockerd --config-file "$dir/daemon.json" --data-root "$nd/data" --exec-root "$nd/exec" \
      --pidfile "$nd/docker.pid" -H "unix://$nd/docker.sock" --bridge none \
      --default-address-pool "base=$NET.$((16 * i)).0/20,size=24" --cgroup-parent "/${P}-n$i" \
      >"$nd/dockerd.log" 2>&1 </dev/null &
    sockets+=("$nd/docker.sock")
  done
  local saved="$dir/images.tar"
  # shellcheck disable=SC2086
  $MAIN_DOCKER save -o "$saved" $IMAGES
  local loads=()
  for i in $(seq 1 "$n"); do
    wait_for "${sockets[$((i - 1))]}" || { tail -20 "$dir/n$i/dockerd.log" >&2; die "node $i's dockerd did not start"; }
    docker -H "unix://${sockets[$((i - 1))]}" load -q -i "$saved" >/dev/null &
    loads+=($!)
  done
  # only the loads: a bare `wait` would wait for the daemons too
  for pid in "${loads[@]}"; do wait "$pid"; done
  rm -f "$saved"
  local m="unix://${sockets[0]}"
  docker -H "$m" swarm init --advertise-addr "$NET.0.1" --listen-addr "$NET.0.1:2377" \
    --default-addr-pool "$POOL" --default-addr-pool-mask-length 24 >/dev/null
  local token; token=$(docker -H "$m" swarm join-token -q worker)
  for i in $(seq 2 "$n"); do
    docker -H "unix://${sockets[$((i - 1))]}" swarm join --advertise-addr "$NET.0.$i" --listen-addr "$NET.0.$i:2377" --token "$token" "$NET.0.1:2377" >/dev/null
  done
  # every node Ready before handing over
  for _ in $(seq 1 100); do
    [ "$(docker -H "$m" node ls --format '{{.Status}}' | grep -c Ready)" = "$n" ] && break
    sleep 0.1
  done
  local all=""
  for s in "${sockets[@]}"; do all="$all unix://$s"; done
  printf 'SWARM_MANAGER=%s\nSWARM_NODES="%s"\nSWARM_DIR=%s\n' "$m" "${all# }" "$dir" >"$dir/env"
  cat "$dir/env"
}

case "$cmd" in
  up) up "${2:-}" "${3:-/tmp/$P-cluster-default}" ;;
  down) down "${2:-/tmp/$P-cluster-default}" ;;
  *) die "usage: $0 up N [DIR] | down [DIR]" ;;
esac
