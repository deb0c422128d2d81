#!/bin/sh
# System packages the program needs on Debian, Ubuntu, UOS, Deepin and Kylin (apt-based):
# CJK and Uyghur fonts, and the libraries of Qt's X11 platform plugin.
# With the argument "test", also what the test suite needs (a second CJK TrueType font,
# poppler's pdftoppm, and a PostgreSQL server for the portability tests).
set -eu
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
PKGS="fonts-wqy-zenhei fonts-noto-core fonts-dejavu-core libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxkbcommon-x11-0 libegl1 libfontconfig1 libdbus-1-3"
if [ "${1:-}" = "test" ]; then
  PKGS="$PKGS fonts-arphic-uming poppler-utils postgresql"
fi
if command -v apt-get >/dev/null 2>&1; then
  $SUDO apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $PKGS
else
  echo "No apt-get here: install the equivalents of: $PKGS" >&2
fi
