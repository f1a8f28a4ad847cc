#!/usr/bin/env bash
# Installs what `make run` (and, with `test`, `make test`) needs and is missing.
# Every step checks first, so a second run only looks and finishes in seconds.
# Nothing is downloaded outside the package registries (Debian, crates.io, npm).
set -euo pipefail

purpose=${1:-run}
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.10
say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# --- Debian packages ---------------------------------------------------------
postgres_bindir() {
  local dir
  dir=$(pg_config --bindir 2>/dev/null || true)
  if [[ -n "$dir" && -x "$dir/postgres" && -x "$dir/initdb" ]]; then echo "$dir"; return; fi
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [[ -x "$dir/postgres" && -x "$dir/initdb" ]]; then echo "$dir"; return; fi
  done
}

missing=()
[[ -n "$(postgres_bindir)" ]] || missing+=(postgresql)
command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
command -v cc >/dev/null || missing+=(build-essential)
command -v pkg-config >/dev/null || missing+=(pkg-config)
if [[ "$purpose" == test ]]; then
  [[ -x /usr/bin/chromium ]] || missing+=(chromium)
  # `make bench` counts each page's work with callgrind.
  command -v valgrind >/dev/null || missing+=(valgrind)
fi
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    say "Installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "Missing system packages: ${missing[*]}" >&2
    echo "Install them (for example: sudo apt-get install ${missing[*]}) and run make again." >&2
    exit 1
  fi
fi

# --- Rust toolchain pieces -----------------------------------------------------
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "Adding the wasm32 target"
  rustup target add wasm32-unknown-unknown
fi

# Build tools are compiled once and then only orchestrate: their own release
# profiles (fat LTO, one codegen unit, full optimisation) cost minutes on two
# cores and buy nothing a person would notice. OPT is the optimisation level.
install_tool() {
  local opt=$1
  shift
  CARGO_PROFILE_RELEASE_OPT_LEVEL=$opt \
    CARGO_PROFILE_RELEASE_LTO=false \
    CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    CARGO_PROFILE_RELEASE_DEBUG=false \
    CARGO_PROFILE_RELEASE_STRIP=true \
    cargo install "$@"
}

# Both tools install side by side: each leaves a core idle for long stretches
# (build scripts, the last crates, linking), which the other one fills.
installs=()

# cargo-leptos starts cargo and the other tools and copies files: unoptimised,
# it installs in about 6 minutes instead of 15 and runs as fast where it counts.
if [[ "$(cargo leptos --version 2>/dev/null || true)" != *"$CARGO_LEPTOS_VERSION"* ]]; then
  say "Installing cargo-leptos $CARGO_LEPTOS_VERSION (a few minutes, once)"
  install_tool 0 cargo-leptos --locked --version "$CARGO_LEPTOS_VERSION" &
  installs+=($!)
fi

# wasm-bindgen-cli must be exactly the version the lock file pins.
bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
if [[ "$(wasm-bindgen --version 2>/dev/null || true)" != *"$bindgen_version"* ]]; then
  say "Installing wasm-bindgen-cli $bindgen_version"
  # Without --locked: the registry here can lag behind the lock file's newest crates.
  # Optimised: it rewrites the browser bundle on every build.
  install_tool 3 wasm-bindgen-cli --version "$bindgen_version" &
  installs+=($!)
fi

# `wait PID` answers with that install's exit status, which `set -e` checks.
for install in "${installs[@]}"; do
  wait "$install"
done

# --- Browser tests and wasm-opt (npm) -------------------------------------------
if [[ ! -d end2end/node_modules || end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]]; then
  say "Installing end-to-end test packages (Playwright, binaryen)"
  (cd end2end && npm ci --no-audit --no-fund)
fi

say "Everything needed is installed"
