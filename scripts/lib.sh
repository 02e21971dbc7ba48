# Shared helpers for scripts/*: install what is missing, idempotently, on a fresh Debian machine.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUN_VERSION="1.4.5"
log() { printf '\033[36m==>\033[0m %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

APT_UPDATED=""
apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "apt-get install ${missing[*]}"
  if [ -z "$APT_UPDATED" ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_bun() {
  if command -v bun >/dev/null 2>&1 && [ "$(bun --version)" = "$BUN_VERSION" ]; then return 0; fi
  log "installing bun@$BUN_VERSION from npm"
  npm install -g --silent "bun@$BUN_VERSION" >/dev/null 2>&1 || npm install -g "bun@$BUN_VERSION"
  hash -r
}

ensure_deps() {
  cd "$ROOT"
  if [ ! -d node_modules ] || [ bun.lock -nt node_modules/.devrig-installed ]; then
    log "bun install"
    bun install --frozen-lockfile >/dev/null
    touch node_modules/.devrig-installed
  fi
}

docker_up() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

ensure_docker() {
  command -v dockerd >/dev/null 2>&1 || apt_install docker.io
  command -v docker-compose >/dev/null 2>&1 || docker compose version >/dev/null 2>&1 || apt_install docker-compose
  if docker_up; then return 0; fi
  log "starting dockerd"
  as_root sh -c 'nohup dockerd >/var/log/devrig-dockerd.log 2>&1 &'
  for _ in $(seq 1 60); do docker_up && return 0; sleep 0.5; done
  echo "dockerd did not start; see /var/log/devrig-dockerd.log" >&2
  return 1
}

build() {
  cd "$ROOT"
  log "building dist/devrig"
  bun scripts/build.ts
}
