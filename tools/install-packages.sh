#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the Debian 12 packages Latent Lab needs: to build and open the window by default,
# and with --tests the test tools as well (Xvfb, Python with numpy and torch, clang for the
# fuzzers, valgrind, the desktop-file and AppStream validators). Only missing packages are
# installed; apt-get runs as root directly, or through sudo for another user.
set -eu

packages="meson ninja-build gcc pkg-config libgtk-4-dev libadwaita-1-dev libopenblas-dev
  zlib1g-dev libpng-dev libjpeg62-turbo-dev librsvg2-common"
test_packages="xvfb xauth python3-numpy python3-torch python3-onnx python3-sklearn python3-pil
  dataset-fashion-mnist desktop-file-utils appstream shared-mime-info gettext valgrind clang
  libclang-rt-14-dev"

case "${1:-}" in
  --tests) packages="$packages $test_packages" ;;
  "") ;;
  *) echo "usage: $0 [--tests]" >&2; exit 2 ;;
esac

missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  as_root=""
elif command -v sudo >/dev/null 2>&1; then
  as_root="sudo"
else
  echo "install-packages: these packages are missing and neither root nor sudo is available:$missing" >&2
  exit 1
fi
echo "install-packages: installing$missing"
$as_root apt-get update -q
# shellcheck disable=SC2086 # the list is meant to split into words
$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
