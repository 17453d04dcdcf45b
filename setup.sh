#!/usr/bin/env bash
# Installs everything toolchain needs on Debian 12 (apt packages, a Python venv
# in .venv, the offline PlatformIO pieces), then runs the main job: digits on
# the default board qemu-m4. Idempotent: a second run only re-checks.
#   ./setup.sh                 install + main job
#   ./setup.sh --install-only  install only (CI)
set -euo pipefail
cd "$(dirname "$0")"

APT_PACKAGES=(gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib qemu-system-arm
              qemu-user-static g++-aarch64-linux-gnu python3-venv espeak-ng gcc
              flite    # flite: the held-out voices of scripts/heldout_keywords.py and bench --stream --voices heldout
              wamerican)  # wamerican: the real words of the speech loader's unknown_words = "dictionary"
PYTHON=${PYTHON:-python3}
VENV=.venv

say() { printf '==> %s\n' "$*"; }

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# node and npm run GnuSpeech (a training synthesizer, toolchain/recipes/data/gnuspeech_voice.py); any node >= 18
# will do, so one already installed (e.g. NodeSource's, which bundles npm) is kept
command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
if ((${#missing[@]})); then
  say "installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
  echo "Error: toolchain needs Python 3.11 (found $("$PYTHON" --version 2>&1)); set PYTHON=python3.11" >&2
  exit 1
fi
[ -x "$VENV/bin/python" ] || { say "creating $VENV"; "$PYTHON" -m venv "$VENV"; }

stamp="$VENV/.installed"
want=$(cat pyproject.toml constraints.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  say "installing Python packages into $VENV (first time: a few minutes)"
  "$VENV/bin/pip" install -q pip==26.3  # the pip these pins were resolved with
  "$VENV/bin/pip" install -q -c constraints.txt -e '.[test]'
  echo "$want" > "$stamp"
fi

if [ -f toolchain/build/pio_core.py ]; then
  say "preparing the offline PlatformIO core"
  "$VENV/bin/python" -c 'import sys; from toolchain.build import pio_core; sys.exit(pio_core.main())'
fi

# openWakeWord 0.4.0's trained ONNX models (the outside model of docs/byom.md): its exact wheel from PyPI,
# `pip download --no-deps` and sha256-checked, unpacked into the user's cache; nothing is installed
say "fetching the pinned outside ONNX models (toolchain/zoo/openwakeword.py)"
"$VENV/bin/python" -m toolchain.zoo.openwakeword

# GnuSpeech 0.3.0 (npm, GPL-3.0), a tool that makes training clips: `npm ci` of the exact versions and integrity
# hashes in toolchain/recipes/data/gnuspeech/package-lock.json into the user's cache; nothing is installed later
say "installing the pinned GnuSpeech (toolchain/recipes/data/gnuspeech_voice.py)"
"$VENV/bin/python" -m toolchain.recipes.data.gnuspeech_voice

[ "${1:-}" = "--install-only" ] && { say "installed"; exit 0; }

say "main job: digits on qemu-m4 (train, optimize, export, build, emulate, bench)"
"$VENV/bin/toolchain" export --model digits
"$VENV/bin/toolchain" bench --board qemu-m4 --model digits
