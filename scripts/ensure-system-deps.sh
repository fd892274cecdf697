#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages botdesk needs, only those missing; safe to run again.
#   scripts/ensure-system-deps.sh build        building and running the app
#   scripts/ensure-system-deps.sh build test   … and running every test
set -euo pipefail

build_pkgs=(build-essential pkg-config file cmake nasm libde265-dev libssl-dev libwebkit2gtk-4.1-dev libxdo-dev
            libayatana-appindicator3-dev librsvg2-dev)
# Browser and desktop end-to-end tests (a D-Bus session for the single-instance check), the
# sync tests' PostgreSQL and PgBouncer (binaries only: the tests start their own),
# screenshots.
test_pkgs=(chromium xvfb xauth webkit2gtk-driver dbus-daemon imagemagick postgresql pgbouncer)

want=()
for group in "$@"; do
  case "$group" in
    build) want+=("${build_pkgs[@]}") ;;
    test) want+=("${test_pkgs[@]}") ;;
    *) echo "usage: $0 build [test]" >&2; exit 2 ;;
  esac
done

# The OpenAPI check runs a validator from PyPI in a virtualenv: a Python without its venv
# module (Debian's own, until python3-venv is installed) needs the package.
if [[ " $* " == *" test "* ]] && ! python3 -c "import ensurepip, venv" 2>/dev/null; then
  want+=(python3-venv)
fi

missing=()
for pkg in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]})); then
  if ! command -v apt-get >/dev/null; then
    echo "botdesk needs these packages, and this system has no apt-get: ${missing[*]}" >&2
    exit 1
  fi
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then sudo=(sudo); fi
  echo "installing: ${missing[*]}"
  "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
    --no-install-recommends "${missing[@]}"
fi

# The Rust toolchain is the machine's (rustup); make sure it has the checkers `make test` runs.
if command -v rustup >/dev/null; then
  for component in rustfmt clippy; do
    rustup component list --installed 2>/dev/null | grep -q "^$component" || rustup component add "$component"
  done
fi

# The UI toolchain (Vite 8) needs Node.js 20.19 or newer.
if ! node_version=$(node --version 2>/dev/null); then
  echo "botdesk's UI build needs Node.js 20.19 or newer, and node is not installed" >&2
  exit 1
fi
IFS=. read -r major minor _ <<<"${node_version#v}"
if ((major < 20 || (major == 20 && minor < 19))); then
  echo "botdesk's UI build needs Node.js 20.19 or newer; this is $node_version" >&2
  exit 1
fi

# The desktop end-to-end test drives the app through tauri-driver (from crates.io); the Storage
# tests send media files to a real S3 server, s3s-fs (from crates.io), that they start
# themselves.
TAURI_DRIVER_VERSION=2.1.0
S3S_FS_VERSION=0.14.1
if [[ " $* " == *" test "* ]]; then
  if ! cargo install --list 2>/dev/null | grep -q "^tauri-driver v$TAURI_DRIVER_VERSION:"; then
    echo "installing tauri-driver $TAURI_DRIVER_VERSION"
    cargo install tauri-driver --locked --version "$TAURI_DRIVER_VERSION"
  fi
  if ! cargo install --list 2>/dev/null | grep -q "^s3s-fs v$S3S_FS_VERSION:"; then
    echo "installing s3s-fs $S3S_FS_VERSION"
    cargo install s3s-fs --locked --version "$S3S_FS_VERSION" --features binary
  fi
fi
