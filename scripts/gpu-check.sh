#!/usr/bin/env bash
# GPU check: CPU vs GPU prefill and decode speed of our engine on a ~1.1B-parameter random-weight model.
# Runs on the lent GPU machine from what scripts/gpu-pack.sh writes into .gpu/ (Node, dist/, the linux-x64 VSIX's node-llama-cpp
# with its CPU and Vulkan prebuilts, Vulkan loader debs), and here with --cpu-only.
#
#   bash scripts/gpu-check.sh                  # on the GPU machine: modes off, vulkan, auto
#   bash scripts/gpu-check.sh --cpu-only --small --threads 1   # here: the same path, CPU only, small model
#
# Options: --cpu-only  --small  --threads N  --modes LIST  --no-direct  --bundle DIR  --work DIR
#          --setup-only (unpack, Vulkan setup and probe, then stop)
# Results: a Markdown table on stdout and ${OUT:-WORK/out}/gpu-measure.json.
set -uo pipefail

T0=$(date +%s)
stamp() { echo "[gpu-check +$(( $(date +%s) - T0 ))s] $*"; }
die() { stamp "FAILED: $*"; exit 1; }

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CPU_ONLY=0 SMALL=0 DIRECT=1 SETUP_ONLY=0 THREADS="" MODES=""
BUNDLE="$ROOT/.gpu"
WORK="${CPT_GPU_WORK:-/tmp/cpt-gpu}"
while [ $# -gt 0 ]; do
  case "$1" in
    --cpu-only) CPU_ONLY=1 ;;
    --small) SMALL=1 ;;
    --no-direct) DIRECT=0 ;;
    --setup-only) SETUP_ONLY=1 ;;
    --threads) THREADS="$2"; shift ;;
    --modes) MODES="$2"; shift ;;
    --bundle) BUNDLE="$2"; shift ;;
    --work) WORK="$2"; shift ;;
    -h|--help) sed -n 2,10p "$0"; exit 0 ;;
    *) die "unknown argument '$1'" ;;
  esac
  shift
done
OUTDIR="${OUT:-$WORK/out}"
mkdir -p "$WORK" "$OUTDIR"
THREADS="${THREADS:-$(nproc)}"
if [ -z "$MODES" ]; then
  if [ "$CPU_ONLY" = 1 ]; then MODES=off,auto; else MODES=off,vulkan,auto; fi
fi

# ---- 1. unpack (xz may be missing on a slim image; Python's lzma reads the same stream) ----
unxz_to_stdout() {
  if command -v xz > /dev/null; then xz -dc "$1"
  else python3 -c 'import lzma,shutil,sys; shutil.copyfileobj(lzma.open(sys.argv[1]), sys.stdout.buffer, 1 << 20)' "$1"; fi
}
for f in node.xz runtime.tar.xz app.tar.xz; do
  [ -f "$BUNDLE/$f" ] || die "$BUNDLE/$f not found (run scripts/gpu-pack.sh here, carry .gpu)"
done
stamp "unpacking $BUNDLE ($(du -sm "$BUNDLE" | cut -f1) MiB) into $WORK"
rm -rf "$WORK/cpt"
mkdir -p "$WORK/cpt/bin"
unxz_to_stdout "$BUNDLE/node.xz" > "$WORK/cpt/bin/node" && chmod +x "$WORK/cpt/bin/node" || die "unpacking node failed"
for f in runtime.tar.xz app.tar.xz; do
  unxz_to_stdout "$BUNDLE/$f" | tar -xf - -C "$WORK" || die "unpacking $f failed"
done
NODE="$WORK/cpt/bin/node"
APP="$WORK/cpt/app"
stamp "unpacked: node $("$NODE" --version)"
sed 's/^/  bundle: /' "$WORK/cpt/MANIFEST.txt"

# ---- 2. the machine ----
echo "  host: $(uname -srm); $(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(free -g | awk '/^Mem:/{print $2 " GiB RAM"}')"
[ -r /etc/os-release ] && echo "  os: $(. /etc/os-release; echo "$PRETTY_NAME")"
if command -v nvidia-smi > /dev/null; then
  echo "  gpu: $(nvidia-smi --query-gpu=name,driver_version,memory.total,memory.used --format=csv,noheader 2>&1 | head -1)"
fi

# ---- 3. the model: random weights, realistic shapes, written here (2 GiB would not fit the carry). It is
# written in the background while Vulkan is set up and probed; into /dev/shm when that has room. ----
MODEL_DIR="$WORK"
if [ "$SMALL" = 1 ]; then
  MODEL_NAME=model-small.gguf; MODEL_ARGS=(--preset small)   # 8 layers x 512, ~28M params
  PREFILL=200; DECODE=32; DEADLINE=240; : "${GPU_CHECK_BUDGET_S:=600}"
else
  # TinyLlama's shapes: 22 layers, 2048 wide, 32 heads sharing 4 KV heads, ff 5632, 32k vocab (1.1B params, f16).
  MODEL_NAME=model-1b.gguf; MODEL_ARGS=(--preset 1b)
  PREFILL=1000; DECODE=128; DEADLINE=200
  SHM_FREE_GB=$(df -BG --output=avail /dev/shm 2>/dev/null | tail -1 | tr -dc 0-9)
  [ -w /dev/shm ] && [ "${SHM_FREE_GB:-0}" -ge 6 ] && MODEL_DIR=/dev/shm/cpt-gpu && mkdir -p "$MODEL_DIR"
fi
MODEL="$MODEL_DIR/$MODEL_NAME"
[ "$MODEL_DIR" = /dev/shm/cpt-gpu ] && trap 'rm -rf /dev/shm/cpt-gpu' EXIT
stamp "writing $MODEL (${MODEL_ARGS[*]}) in the background"
timeout 200 "$NODE" "$APP/dist/cli.js" make-test-model "$MODEL" "${MODEL_ARGS[@]}" --seed 7 > "$WORK/make-model.log" 2>&1 &
MODEL_PID=$!

# ---- 4. Vulkan: loader + ICD. Libraries the image lacks come from the carried debs, unpacked under
# $WORK (not /) and offered through LD_LIBRARY_PATH one soname at a time, so nothing the image has is
# shadowed. Node reads LD_LIBRARY_PATH only at start, so this happens before any node runs. ----
DEBROOT="$WORK/debroot"
PROVIDED="$WORK/provided-libs"
deb_extract() { # deb dir
  if command -v dpkg-deb > /dev/null; then dpkg-deb -x "$1" "$2"; return; fi
  python3 - "$1" "$2" <<'EOF'
import io, sys, tarfile
data = open(sys.argv[1], 'rb').read()
pos = 8
while pos < len(data):
    name = data[pos:pos + 16].decode().strip().rstrip('/'); size = int(data[pos + 48:pos + 58])
    body = data[pos + 60:pos + 60 + size]; pos += 60 + size + (size & 1)
    if name.startswith('data.tar'):
        tarfile.open(fileobj=io.BytesIO(body)).extractall(sys.argv[2])
EOF
}
in_ld_cache() { ldconfig -p 2>/dev/null | grep -q "^[[:space:]]*$1 "; }
on_ld_path() { local d; IFS=: read -ra ds <<< "${LD_LIBRARY_PATH:-}"; for d in "${ds[@]}"; do [ -n "$d" ] && [ -e "$d/$1" ] && return 0; done; return 1; }
provide() { # soname: offer the carried copy if the image has none
  in_ld_cache "$1" && return 0
  on_ld_path "$1" && return 0
  local src; src=$(find "$DEBROOT" -name "$1" 2>/dev/null | head -1)
  [ -n "$src" ] || { echo "  vulkan: $1 is missing and not carried"; return 1; }
  cp -L "$src" "$PROVIDED/$1" && echo "  vulkan: providing $1 from the carried debs"
}
if [ "$CPU_ONLY" = 0 ]; then
  stamp "setting up Vulkan"
  rm -rf "$DEBROOT" "$PROVIDED"; mkdir -p "$DEBROOT" "$PROVIDED"
  for f in "$WORK"/cpt/debs/*/*.deb; do deb_extract "$f" "$DEBROOT" || echo "  vulkan: could not unpack $(basename "$f")"; done
  # Offering the loader through LD_LIBRARY_PATH alone was measured on the H100 image (2026-11-27) to
  # leave libGLX_nvidia unable to create an instance; the device README's recipe (the loader and glvnd
  # debs unpacked into / and registered with ldconfig) is the proven one, so as root use it.
  if [ "$(id -u)" = 0 ] && [ "${GPU_DEBS_INTO_ROOT:-1}" = 1 ]; then
    for f in "$WORK"/cpt/debs/gl/*.deb; do deb_extract "$f" / || echo "  vulkan: could not unpack $(basename "$f") into /"; done
    ldconfig
    echo "  vulkan: loader + glvnd debs unpacked into / and registered with ldconfig"
  fi
  echo "  driver libs: $(ls /usr/local/nvidia/lib64 2>/dev/null | grep -E 'GLX_nvidia|glcore|glvkspirv|gpucomp|eglcore|EGL_nvidia' | tr '\n' ' ')"
  EGLV=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
  [ -f "$EGLV" ] && export __EGL_VENDOR_LIBRARY_FILENAMES="$EGLV"
  for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do
    [ -d "$d" ] && case ":${LD_LIBRARY_PATH:-}:" in *":$d:"*) ;; *) LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$d" ;; esac
  done
  export LD_LIBRARY_PATH="$PROVIDED${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  provide libvulkan.so.1
  provide libGLdispatch.so.0
  # node-llama-cpp's gpu 'auto' looks for libvulkan only in LD_LIBRARY_PATH and /usr/lib{,64,/x86_64-linux-gnu}.
  VKDIR=$(ldconfig -p 2>/dev/null | awk '$1 == "libvulkan.so.1" {print $NF; exit}' | xargs -r dirname)
  case "$VKDIR" in ""|/usr/lib|/usr/lib64|/usr/lib/x86_64-linux-gnu) ;; *) export LD_LIBRARY_PATH="$LD_LIBRARY_PATH:$VKDIR" ;; esac
  ICD=""
  for c in "${VK_DRIVER_FILES:-}" /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json \
           /usr/share/vulkan/icd.d/nvidia_icd.json /usr/local/share/vulkan/icd.d/nvidia_icd.json; do
    [ -n "$c" ] && [ -f "$c" ] && { ICD="$c"; break; }
  done
  [ -n "$ICD" ] || ICD=$(find /usr/local/nvidia /etc/vulkan /usr/share/vulkan /usr/local/share/vulkan /usr/lib/x86_64-linux-gnu \
    -maxdepth 4 -name 'nvidia_icd*.json' 2>/dev/null | head -1)
  if [ -z "$ICD" ]; then
    # The driver's libraries without its json (a container that mounts only the compute files): describe
    # the ICD ourselves; the loader needs only the library's name.
    GLXN=$(ldconfig -p 2>/dev/null | awk '$1 == "libGLX_nvidia.so.0" {print $NF; exit}')
    [ -n "$GLXN" ] || GLXN=$(find /usr/local/nvidia /usr/lib/x86_64-linux-gnu /usr/lib64 -maxdepth 2 -name 'libGLX_nvidia.so.0' 2>/dev/null | head -1)
    if [ -n "$GLXN" ]; then
      ICD="$WORK/nvidia_icd.json"
      printf '{"file_format_version":"1.0.0","ICD":{"library_path":"%s","api_version":"1.3.0"}}\n' "$GLXN" > "$ICD"
      echo "  vulkan: no ICD json on this machine; wrote $ICD for $GLXN"
    fi
  fi
  if [ -n "$ICD" ]; then
    export VK_DRIVER_FILES="$ICD" VK_ICD_FILENAMES="$ICD"
    echo "  vulkan: ICD $ICD: $(tr -d '\n ' < "$ICD" | head -c 200)"
    # The ICD's driver library (libGLX_nvidia.so.0) may link libraries the image lacks: provide them.
    DRV=$(sed -n 's/.*"library_path"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$ICD" | head -1)
    case "$DRV" in
      /*) DRVPATH="$DRV" ;;
      *) DRVPATH=$(ldconfig -p 2>/dev/null | awk -v n="$DRV" '$1 == n {print $NF; exit}')
         [ -n "$DRVPATH" ] || for d in /usr/local/nvidia/lib64 /usr/lib/x86_64-linux-gnu; do [ -e "$d/$DRV" ] && DRVPATH="$d/$DRV" && break; done ;;
    esac
    if [ -n "${DRVPATH:-}" ] && [ -e "$DRVPATH" ]; then
      for _ in 1 2 3; do
        MISSING=$(ldd "$DRVPATH" 2>/dev/null | awk '/not found/{print $1}')
        [ -z "$MISSING" ] && break
        for m in $MISSING; do provide "$m"; done
      done
      echo "  vulkan: driver library $DRVPATH; unresolved: $(ldd "$DRVPATH" 2>/dev/null | awk '/not found/{printf "%s ", $1}')"
    else
      echo "  vulkan: driver library '$DRV' not found on this machine"
    fi
  else
    echo "  vulkan: no NVIDIA ICD json found (is the driver's graphics capability mounted?)"
  fi
  echo "  LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
  ls "$PROVIDED" | sed 's/^/  provided: /'
fi

# ---- 5. a Vulkan probe with the loader's own errors shown, so a failure explains itself ----
if [ "$CPU_ONLY" = 0 ]; then
  stamp "probing Vulkan through node-llama-cpp"
  VK_LOADER_DEBUG=error,warn timeout 60 "$NODE" "$ROOT/scripts/gpu-measure.cjs" --app "$APP" --probe vulkan 2>&1 | head -40
fi
[ "$SETUP_ONLY" = 1 ] && { kill "$MODEL_PID" 2>/dev/null; wait "$MODEL_PID" 2>/dev/null; stamp "setup only: done"; exit 0; }
wait "$MODEL_PID" || { cat "$WORK/make-model.log"; die "make-test-model failed"; }
stamp "model written: $(du -m "$MODEL" | cut -f1) MiB: $(cut -c1-200 "$WORK/make-model.log")"

# ---- 6. CPU vs GPU through our engine (and node-llama-cpp alone) ----
# The whole check stays inside GPU_CHECK_BUDGET_S (default 360 s), so the device call's limit is never hit:
# the measurement gets what the earlier steps left, less a minute for step 7.
BUDGET=${GPU_CHECK_BUDGET_S:-360}
LEFT=$(( BUDGET - ($(date +%s) - T0) - 75 ))
[ "$LEFT" -lt "$DEADLINE" ] && DEADLINE=$(( LEFT > 60 ? LEFT : 60 ))
stamp "measuring modes $MODES with $THREADS threads (deadline ${DEADLINE} s)"
DIRECT_ARG=(); [ "$DIRECT" = 1 ] && DIRECT_ARG=(--direct)
timeout $((DEADLINE + 30)) "$NODE" "$ROOT/scripts/gpu-measure.cjs" --app "$APP" --model "$MODEL" --modes "$MODES" \
  --threads "$THREADS" --prefill "$PREFILL" --decode "$DECODE" --context 2048 "${DIRECT_ARG[@]}" \
  --deadline-s "$DEADLINE" --json "$OUTDIR/gpu-measure.json"
RC=$?

# ---- 7. what `cpt-writer rewrite --verbose` reports (backend, layers, VRAM) ----
# On the GPU the default prompt mode (the full rubric, ~3.6k tokens for a model that is not CPT-tuned) costs
# well under a second; on a CPU it costs a minute, so the CPU-only run asks for the short directive.
VERBOSE_ARGS=(--gpu vulkan); [ "$CPU_ONLY" = 1 ] && VERBOSE_ARGS=(--gpu off --mode directive)
stamp "cpt-writer rewrite --verbose ${VERBOSE_ARGS[*]}"
echo "The meeting moved to Thursday because two reviewers were away." \
  | timeout 60 "$NODE" "$APP/dist/cli.js" rewrite --model "$MODEL" --rubric formality --level 4 --verbose \
      "${VERBOSE_ARGS[@]}" --threads "$THREADS" --max-tokens 16 --temperature 0 > "$OUTDIR/rewrite-verbose.txt" 2>&1
echo "  rewrite exit $?:"; grep -v '^\s*$' "$OUTDIR/rewrite-verbose.txt" | head -20 | sed 's/^/  | /'

command -v nvidia-smi > /dev/null && [ "$CPU_ONLY" = 0 ] && echo "  gpu after: $(nvidia-smi --query-gpu=name,driver_version,memory.used --format=csv,noheader 2>&1 | head -1)"
stamp "done (measure exit $RC)"
exit $RC
