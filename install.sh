#!/bin/sh
# Installs devrig: picks devrig-<os>-<arch> for this machine (uname -sm), verifies it against the
# release's SHA256SUMS and installs it as ~/.local/bin/devrig.
#
#   sh install.sh --from https://example.com/devrig/releases/v0.1.0   (a base URL: <base>/devrig-linux-x64, <base>/SHA256SUMS)
#   sh install.sh --from ./dist/release                                (a local folder, e.g. made by scripts/release)
#
# Options (or environment): --from URL|DIR (DEVRIG_FROM), --to DIR (DEVRIG_INSTALL_DIR, default ~/.local/bin).
set -eu

from="${DEVRIG_FROM:-}"
to="${DEVRIG_INSTALL_DIR:-${HOME}/.local/bin}"
while [ $# -gt 0 ]; do
  case "$1" in
    --from) from="${2:?--from needs a URL or a folder}"; shift 2 ;;
    --to) to="${2:?--to needs a folder}"; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown option $1 (try --help)" >&2; exit 1 ;;
  esac
done
fail() { echo "install.sh: $*" >&2; exit 1; }
[ -n "$from" ] || fail "where from? pass --from <base URL or folder with devrig-<os>-<arch> and SHA256SUMS>"

case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  *) fail "unsupported OS $(uname -s): devrig ships for Linux and macOS" ;;
esac
case "$(uname -m)" in
  x86_64|amd64) arch=x64 ;;
  aarch64|arm64) arch=arm64 ;;
  *) fail "unsupported architecture $(uname -m): devrig ships for x64 and arm64" ;;
esac
# An x86_64 shell under Rosetta on Apple silicon: the native binary is the right one.
if [ "$os-$arch" = darwin-x64 ] && [ "$(sysctl -n sysctl.proc_translated 2>/dev/null || echo 0)" = 1 ]; then arch=arm64; fi
name="devrig-$os-$arch"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/devrig-install.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT INT TERM

fetch() { # fetch <name> <dest>
  case "$from" in
    http://*|https://*)
      if command -v curl >/dev/null 2>&1; then curl -fsSL -o "$2" "${from%/}/$1" || fail "cannot download ${from%/}/$1"
      elif command -v wget >/dev/null 2>&1; then wget -q -O "$2" "${from%/}/$1" || fail "cannot download ${from%/}/$1"
      else fail "neither curl nor wget found"; fi ;;
    *) [ -f "$from/$1" ] || fail "$from/$1 not found"; cp "$from/$1" "$2" ;;
  esac
}

fetch SHA256SUMS "$tmp/SHA256SUMS"
fetch "$name" "$tmp/$name"

expected="$(awk -v n="$name" '$2 == n || $2 == "*" n { print $1 }' "$tmp/SHA256SUMS")"
[ -n "$expected" ] || fail "SHA256SUMS has no line for $name"
if command -v sha256sum >/dev/null 2>&1; then actual="$(sha256sum "$tmp/$name" | awk '{ print $1 }')"
elif command -v shasum >/dev/null 2>&1; then actual="$(shasum -a 256 "$tmp/$name" | awk '{ print $1 }')"
else fail "neither sha256sum nor shasum found: cannot verify the download"; fi
[ "$actual" = "$expected" ] || fail "checksum mismatch for $name (expected $expected, got $actual): not installed"

mkdir -p "$to"
chmod 0755 "$tmp/$name"
# Same-folder rename: a running devrig keeps its old inode, nobody sees a half-written file.
cp "$tmp/$name" "$to/.devrig.new"
mv -f "$to/.devrig.new" "$to/devrig"
echo "installed $("$to/devrig" --version) → $to/devrig"
case ":${PATH}:" in
  *":$to:"*) ;;
  *) echo "note: $to is not on your PATH; add it, e.g. export PATH=\"$to:\$PATH\"" ;;
esac
