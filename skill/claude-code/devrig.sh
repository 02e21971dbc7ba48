#!/bin/sh
# Shortcuts over `devrig query` for the Claude Code skill (see SKILL.md next to this file).
# Run from the project (devrig finds devrig.toml from the current directory up).
# DEVRIG overrides the devrig executable (default: devrig on PATH).
set -eu

DEVRIG=${DEVRIG:-devrig}

usage() {
  cat <<'EOF'
Usage: devrig.sh <command> [arguments] [devrig query flags…]

Commands:
  errors [service]            errored traces, then error logs (NDJSON, after a "# …" heading each)
  slow <service> [duration]   traces of the service at least this long (default 500ms)
  trace <trace-id>            one trace with all its spans (pretty JSON)
  related <trace-id>          the trace's logs, nearby logs and metrics (pretty JSON)
  logs <service> [text]       the service's recent OpenTelemetry logs, optionally containing text
  status                      services, containers, cluster and collector counters (pretty JSON)
  help                        this message

Extra arguments go to `devrig query`, e.g.: devrig.sh slow api 200ms --limit 5
EOF
}

q() {
  "$DEVRIG" query "$@"
}

need() {
  if [ "$1" -lt "$2" ]; then
    printf 'devrig.sh %s: missing %s\n\n' "$3" "$4" >&2
    usage >&2
    exit 2
  fi
}

cmd=${1:-}
if [ $# -gt 0 ]; then shift; fi

case $cmd in
  errors)
    if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
      service=$1
      shift
      echo "# error traces ($service)"
      q traces --status error --service "$service" "$@"
      echo "# error logs ($service)"
      q logs --level error --service "$service" "$@"
    else
      echo "# error traces"
      q traces --status error "$@"
      echo "# error logs"
      q logs --level error "$@"
    fi
    ;;
  slow)
    need $# 1 slow "<service>"
    service=$1
    shift
    duration=500ms
    if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
      duration=$1
      shift
    fi
    q traces --service "$service" --min-duration "$duration" "$@"
    ;;
  trace | related)
    need $# 1 "$cmd" "<trace-id>"
    id=$1
    shift
    q "$cmd" "$id" --format json-pretty "$@"
    ;;
  logs)
    need $# 1 logs "<service>"
    service=$1
    shift
    if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
      text=$1
      shift
      q logs --service "$service" --search "$text" "$@"
    else
      q logs --service "$service" "$@"
    fi
    ;;
  status)
    q status --format json-pretty "$@"
    ;;
  help | -h | --help)
    usage
    ;;
  "")
    usage >&2
    exit 2
    ;;
  *)
    printf 'devrig.sh: unknown command "%s"\n\n' "$cmd" >&2
    usage >&2
    exit 2
    ;;
esac
