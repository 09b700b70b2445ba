#!/usr/bin/env bash
# Real image registries for the pull/push tests (Debian's docker-registry, the CNCF distribution server), on
# loopback only, where the engine trusts them without TLS:
#   127.0.0.1:${REGISTRY_PORT:-5000}       open          push/pull localhost:5000/NAME:TAG
#   127.0.0.1:${REGISTRY_AUTH_PORT:-5001}  htpasswd auth user ${REGISTRY_USER:-berth} / ${REGISTRY_PASSWORD:-berth-secret}
# The credentials are test fixtures, not secrets: the tests read the same defaults (test/helpers/registry.ts).
# Idempotent: an instance already answering on its port is left alone. Exit 0 when both answer.
set -euo pipefail
PORT=${REGISTRY_PORT:-5000}
AUTH_PORT=${REGISTRY_AUTH_PORT:-5001}
USER_NAME=${REGISTRY_USER:-berth}
PASSWORD=${REGISTRY_PASSWORD:-berth-secret}
DATA=${REGISTRY_DATA:-/tmp/berth-registry}
say() { echo "local-registry: $*" >&2; }

# Any HTTP answer means a registry is there (the auth one answers /v2/ with 401).
answers() { [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/v2/" 2>/dev/null || true)" != "000" ]; }

need=()
command -v docker-registry >/dev/null 2>&1 || need+=(docker-registry)
command -v htpasswd >/dev/null 2>&1 || need+=(apache2-utils)
command -v curl >/dev/null 2>&1 || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { say "missing ${need[*]} and this is not root"; exit 1; }
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq "${need[@]}" >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq "${need[@]}" >/dev/null; }
fi

start() { # name port [auth]
  local name=$1 port=$2 auth=${3:-}
  local dir="$DATA/$name"
  if answers "$port"; then echo "registry: $name already up on 127.0.0.1:$port"; return 0; fi
  mkdir -p "$dir/data"
  {
    echo "version: 0.1"
    echo "log: {level: warn}"
    echo "storage:"
    echo "  filesystem: {rootdirectory: $dir/data}"
    echo "  delete: {enabled: true}"
    echo "http:"
    echo "  addr: 127.0.0.1:$port"
    if [ -n "$auth" ]; then
      htpasswd -Bbc "$dir/htpasswd" "$USER_NAME" "$PASSWORD" >/dev/null 2>&1
      echo "auth:"
      echo "  htpasswd: {realm: berth-test, path: $dir/htpasswd}"
    fi
  } >"$dir/config.yml"
  setsid nohup docker-registry serve "$dir/config.yml" >"$dir/registry.log" 2>&1 </dev/null &
  for _ in $(seq 1 40); do answers "$port" && break; sleep 0.25; done
  answers "$port" || { say "$name did not come up on 127.0.0.1:$port; see $dir/registry.log"; tail -n 5 "$dir/registry.log" >&2 || true; return 1; }
  echo "registry: $name up on 127.0.0.1:$port"
}

start open "$PORT"
start auth "$AUTH_PORT" auth
