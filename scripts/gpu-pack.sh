#!/usr/bin/env bash
# Builds what scripts/gpu-check.sh needs on the lent GPU machine, which has no Node, no internet and
# takes at most 64 MiB (git working tree + carried paths), as three xz archives in .gpu/:
#   node.xz          this machine's Node binary (x86-64, glibc), becomes cpt/bin/node
#   runtime.tar.xz   cpt/app/node_modules/…   the linux-x64 VSIX's node_modules, as `npm run package`
#                                             stages it: node-llama-cpp + its runtime closure with the
#                                             CPU and Vulkan prebuilts (CUDA's 152 MiB .so cannot fit), no
#                                             llama.cpp sources
#                    cpt/debs/{gl,x11}/*.deb  Vulkan loader + glvnd (+ X11 client libraries as fallbacks)
#   app.tar.xz       cpt/app/dist/{cli,engine-process,engine-client}.js, cpt/app/{rubrics,package.json}, cpt/MANIFEST.txt
# Usage: bash scripts/gpu-pack.sh [--no-build] [--limit-mib N]
# Then carry [".gpu"] and run scripts/gpu-check.sh there (see BENCHMARKS.md, GPU section).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BUILD=1
LIMIT_MIB=55
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) BUILD=0 ;;
    --limit-mib) LIMIT_MIB="$2"; shift ;;
    -h|--help) sed -n 2,12p "$0"; exit 0 ;;
    *) echo "gpu-pack: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done

[ "$(uname -m)" = x86_64 ] || { echo "gpu-pack: the GPU machine is x86-64; pack on an x86-64 machine (this is $(uname -m))" >&2; exit 1; }
NODE_BIN="$(node -p process.execPath)"
OUT_DIR="$ROOT/.gpu"
KEYS="$ROOT/.cache/gpu-pack"
# Deb downloads are cached outside .gpu so that only the archive travels.
DEB_CACHE="$ROOT/.cache/gpu-debs"
STAGE="$(mktemp -d /tmp/cpt-gpu-stage.XXXXXX)"
trap 'rm -rf "$STAGE"' EXIT

if [ "$BUILD" = 1 ]; then
  echo "gpu-pack: bundling dist/ (esbuild only)"
  node scripts/build.mjs --no-tsc
fi
for f in dist/cli.js dist/engine-process.js; do
  [ -f "$f" ] || { echo "gpu-pack: $f is missing; run 'node scripts/build.mjs' first" >&2; exit 1; }
done

APP="$STAGE/cpt/app"
mkdir -p "$APP/dist" "$APP/node_modules" "$STAGE/cpt/debs/gl" "$STAGE/cpt/debs/x11"
cp dist/cli.js dist/engine-process.js "$APP/dist/"
# Built-in rubrics: the CLI finds them beside the package.json named cpt-writer above its own file.
cp -r rubrics package.json "$APP/"
# EngineClient on its own, beside engine-process.js (its default processEntry), for scripts/gpu-measure.cjs.
node -e '
  require("esbuild").buildSync({ entryPoints: [process.argv[1]], outfile: process.argv[2], bundle: true,
    platform: "node", format: "cjs", target: "node20", external: ["vscode", "node-llama-cpp"], logLevel: "warning" });
' src/core/engine/index.ts "$APP/dist/engine-client.js"

# node_modules exactly as the linux-x64 VSIX ships it, so the check runs the packaged layout.
echo "gpu-pack: packaging the linux-x64 VSIX for its node_modules"
node scripts/package.mjs --target linux-x64 --no-build --out "$STAGE/cpt.vsix" > "$STAGE/package.log" 2>&1 \
  || { cat "$STAGE/package.log" >&2; echo "gpu-pack: npm run package failed" >&2; exit 1; }
grep '^package: ' "$STAGE/package.log" | sed 's/^/gpu-pack: /'
python3 -c 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); z.extractall(sys.argv[2], [n for n in z.namelist() if n.startswith("extension/node_modules/")])' \
  "$STAGE/cpt.vsix" "$STAGE/vsix"
rm -rf "$APP/node_modules"
mv "$STAGE/vsix/extension/node_modules" "$APP/node_modules"
rm -rf "$STAGE/vsix" "$STAGE/cpt.vsix"
for k in linux-x64 linux-x64-vulkan; do
  [ -f "$APP/node_modules/@node-llama-cpp/$k/package.json" ] || { echo "gpu-pack: the VSIX has no @node-llama-cpp/$k" >&2; exit 1; }
done
echo "gpu-pack: $(ls "$APP/node_modules" | wc -l) top-level packages from the VSIX"

# Vulkan loader and glvnd (libGLX_nvidia.so.0, the NVIDIA Vulkan ICD, needs libGLdispatch); X11 client
# libraries as a fallback in case the driver library links them and the image lacks them.
GL_DEBS="libvulkan1 libglvnd0 libegl1 libopengl0 libgl1 libglx0 libgles2"
X11_DEBS="libx11-6 libx11-data libxext6 libxcb1 libxau6 libxdmcp6 libbsd0 libmd0"
mkdir -p "$DEB_CACHE/gl" "$DEB_CACHE/x11"
fetch_debs() { # dir packages...
  local dir="$1"; shift
  local missing=()
  for p in "$@"; do compgen -G "$dir/${p}_*.deb" > /dev/null || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "gpu-pack: downloading ${missing[*]} (amd64)"
  mkdir -p /tmp/cpt-gpu-apt/partial
  local o=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/cpt-gpu-apt)
  apt-get "${o[@]}" update > /dev/null
  (cd "$dir" && apt-get "${o[@]}" download "${missing[@]}" 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
  for p in "${missing[@]}"; do compgen -G "$dir/${p}_*.deb" > /dev/null || { echo "gpu-pack: could not download $p" >&2; exit 1; }; done
}
fetch_debs "$DEB_CACHE/gl" $GL_DEBS
fetch_debs "$DEB_CACHE/x11" $X11_DEBS
# Plain names (epochs appear as %3a in apt's file names).
for kind in gl x11; do
  for f in "$DEB_CACHE/$kind"/*.deb; do cp "$f" "$STAGE/cpt/debs/$kind/$(basename "$f" | sed 's/%3a/_/g')"; done
done

cat > "$STAGE/cpt/MANIFEST.txt" <<EOF
packed $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -sm)
node $("$NODE_BIN" --version)
git $(git rev-parse --short HEAD 2>/dev/null || echo none)$(git diff --quiet -- src scripts 2>/dev/null || echo ' (+ uncommitted changes)')
node-llama-cpp $(node -p 'require("./node_modules/node-llama-cpp/package.json").version')
EOF

mkdir -p "$OUT_DIR" "$KEYS"
rm -f "$OUT_DIR"/*.tmp
# xz -9 single-threaded: one window holds the identical CPU libraries of both prebuilts (sorted names keep
# them close), which halves the runtime archive. The two big parts are cached by content key, so a
# repack after a code change only rewrites app.tar.xz (seconds instead of many minutes).
pack_dir() { # archive dir-under-stage...
  local out="$1"; shift
  (cd "$STAGE" && find "$@" -type f | LC_ALL=C sort > "$STAGE/files.txt" && tar -cf - --owner=0 --group=0 -T "$STAGE/files.txt") \
    | xz -9 -T1 > "$out.tmp" && mv "$out.tmp" "$out"
}
cached() { # name key: true when .gpu/name was built from the same key
  [ -f "$OUT_DIR/$1" ] && [ -f "$KEYS/$1.key" ] && [ "$(cat "$KEYS/$1.key")" = "$2" ]
}
NODE_KEY="$("$NODE_BIN" --version) $(sha256sum "$NODE_BIN" | cut -c1-32)"
if cached node.xz "$NODE_KEY"; then echo "gpu-pack: node.xz up to date"; else
  echo "gpu-pack: compressing Node ($(du -m "$NODE_BIN" | cut -f1) MiB; xz -9 takes minutes)"
  xz -9 -T1 -c "$NODE_BIN" > "$OUT_DIR/node.xz.tmp" && mv "$OUT_DIR/node.xz.tmp" "$OUT_DIR/node.xz"
  echo "$NODE_KEY" > "$KEYS/node.xz.key"
fi
RUNTIME_KEY="$( (cd "$STAGE" && find cpt/app/node_modules cpt/debs -type f -printf '%p %s\n' | LC_ALL=C sort) | sha256sum | cut -c1-32)"
if cached runtime.tar.xz "$RUNTIME_KEY"; then echo "gpu-pack: runtime.tar.xz up to date"; else
  echo "gpu-pack: compressing node_modules and debs ($(du -sm "$STAGE/cpt/app/node_modules" | cut -f1) MiB; takes minutes)"
  pack_dir "$OUT_DIR/runtime.tar.xz" cpt/app/node_modules cpt/debs
  echo "$RUNTIME_KEY" > "$KEYS/runtime.tar.xz.key"
fi
pack_dir "$OUT_DIR/app.tar.xz" cpt/app/dist cpt/app/rubrics cpt/app/package.json cpt/MANIFEST.txt
# Anything else in .gpu would travel too.
find "$OUT_DIR" -mindepth 1 ! -name node.xz ! -name runtime.tar.xz ! -name app.tar.xz -exec rm -rf {} +

# What travels: tracked + untracked-not-ignored files of the working tree, plus the carried .gpu.
TREE_BYTES=$(git ls-files -z --cached --others --exclude-standard | xargs -0 -r stat -c %s -- 2>/dev/null | awk '{s+=$1} END {print s+0}')
BUNDLE_BYTES=$(du -sb "$OUT_DIR" | cut -f1)
TOTAL=$((TREE_BYTES + BUNDLE_BYTES))
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
ls -l "$OUT_DIR" | awk 'NR > 1 {printf "gpu-pack:   .gpu/%s %.1f MiB\n", $NF, $5 / 1048576}'
echo "gpu-pack: .gpu $(mib "$BUNDLE_BYTES") MiB; working tree $(mib "$TREE_BYTES") MiB; total $(mib "$TOTAL") MiB (limit ${LIMIT_MIB} MiB, device maximum 64 MiB)"
if [ "$TOTAL" -gt $((LIMIT_MIB * 1048576)) ]; then
  echo "gpu-pack: too large to carry" >&2
  exit 1
fi
echo "gpu-pack: carry [\".gpu\"]"
