#!/usr/bin/env bash
# Installs the real VS Code the integration and e2e tests run in: code-server 4.100.3 (VS Code 1.100.3)
# into .vscode-host/server from test/host's lockfile, plus the Debian packages it needs (headless chromium
# for the workbench, libkrb5-dev and ripgrep for its install, openssl for the https download tests).
# Idempotent: a second run is a fast no-op.
# Offline apart from the npm registry and Debian's apt (each environment variable below says why it is
# needed).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HOST_SRC="$ROOT/test/host"
DEST="$ROOT/.vscode-host/server"
CS_VERSION=4.100.3      # the last code-server whose engines allow Node 20
RG_CACHE=vscode-ripgrep-cache-1.15.11   # @vscode/ripgrep version pinned inside code-server's VS Code
case "$(uname -m)" in   # the file name @vscode/ripgrep's postinstall looks for in its cache
  x86_64) RG_TARBALL=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz ;;
  aarch64) RG_TARBALL=ripgrep-v13.0.0-10-aarch64-unknown-linux-musl.tar.gz ;;
  *) echo "setup-vscode-host: no ripgrep cache name known for $(uname -m)" >&2; exit 1 ;;
esac
export DEBIAN_FRONTEND=noninteractive

# --- apt packages (only the missing ones; apt-get update first so a fresh machine finds them) ---
need=()
for p in chromium libkrb5-dev ripgrep g++ make python3 pkg-config openssl; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup-vscode-host: apt-get install ${need[*]}"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

# --- code-server: ready when the installed lockfile matches test/host's and the binary is in place ---
lock_sum="$(cat "$HOST_SRC/package-lock.json" "$HOST_SRC/package.json" | sha256sum | cut -c1-64)"
stamp="$DEST/.installed"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$lock_sum" ] && [ -x "$DEST/node_modules/.bin/code-server" ]; then
  echo "setup-vscode-host: code-server $CS_VERSION ready in ${DEST#"$ROOT"/}"
  exit 0
fi

t0=$(date +%s)
rm -rf "$DEST"
mkdir -p "$DEST"
cp "$HOST_SRC/package.json" "$HOST_SRC/package-lock.json" "$DEST/"
# Everything the install writes outside node_modules (npm temp files, node-gyp headers, the ripgrep
# download cache) stays inside .vscode-host rather than $HOME or /tmp.
export TMPDIR="$DEST/.tmp"
mkdir -p "$TMPDIR"
export npm_config_devdir="$DEST/.tmp/node-gyp"
# Build native modules against the headers that ship with this Node rather than downloading them.
node_prefix="$(dirname "$(dirname "$(command -v node)")")"
if [ -f "$node_prefix/include/node/node_api.h" ]; then export npm_config_nodedir="$node_prefix"; fi

# @vscode/ripgrep's postinstall downloads rg from GitHub unless its cache already holds the tarball:
# seed the cache with Debian's rg.
C="$TMPDIR/$RG_CACHE"
mkdir -p "$C/s"
cp "$(command -v rg)" "$C/s/rg"
tar czf "$C/$RG_TARBALL" -C "$C/s" rg
rm -rf "$C/s"

# code-server's postinstall refuses root without unsafe-perm (npm 11 dropped the flag; the script reads
# the env var); node-pty's postinstall runs `npx node-gyp`, which aborts without a TTY unless npm_config_yes.
echo "setup-vscode-host: installing code-server $CS_VERSION (npm ci, ~1 min)"
(
  cd "$DEST"
  npm_config_unsafe_perm=true npm_config_yes=true \
    npm ci --no-audit --no-fund --loglevel=error
) > "$DEST/install.log" 2>&1 || {
  echo "setup-vscode-host: npm ci failed; last lines of ${DEST#"$ROOT"/}/install.log:" >&2
  tail -40 "$DEST/install.log" >&2
  exit 1
}
version="$(XDG_CONFIG_HOME="$TMPDIR/xdg" XDG_DATA_HOME="$TMPDIR/xdg" XDG_CACHE_HOME="$TMPDIR/xdg" \
  "$DEST/node_modules/.bin/code-server" --config /dev/null --version 2>/dev/null | awk 'NR==1{print $1}')"
if [ "$version" != "$CS_VERSION" ]; then
  echo "setup-vscode-host: expected code-server $CS_VERSION, found '$version'" >&2
  exit 1
fi
rm -rf "$TMPDIR"
echo "$lock_sum" > "$stamp"
echo "setup-vscode-host: code-server $version installed in $(( $(date +%s) - t0 )) s"
