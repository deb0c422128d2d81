#!/usr/bin/env bash
# Build the bundle and the .deb on the oldest base Debian's mirror still serves, to lower the
# glibc the bundle needs (not run by CI: it takes about 25 minutes and needs root).
#
#     sudo bash packaging/build-oldbase.sh      # -> build/oldbase/caseworker_VERSION_ARCH.deb
#
# 1. debootstrap a Debian 11 (bullseye, glibc 2.31) root into $BASE/root.  Debian 10 (buster,
#    glibc 2.28) is only on archive.debian.org, which this build machine cannot reach; with it,
#    set SUITE=buster MIRROR=http://archive.debian.org/debian.
# 2. build CPython 3.11 inside it (--enable-shared) from the upstream tarball of Debian's
#    source package python3.11 (bookworm's 3.11.2), because bullseye's Python is 3.9 and the
#    program needs 3.11;
# 3. run packaging/build-linux.sh inside it with that Python and PySide6-Essentials 6.8
#    (manylinux_2_28 wheels: Qt 6.10 and later need glibc 2.34).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BASE="${BASE:-$ROOT/build/oldbase}"
SUITE="${SUITE:-bullseye}"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"
PYSRC_VERSION="3.11.2"
PYSIDE_PIN="${PYSIDE_PIN:-PySide6-Essentials==6.8.3}"
CHROOT="$BASE/root"
START=$(date +%s)
say() { echo "[build-oldbase $(($(date +%s) - START))s] $*"; }
retry() { local n=1; until "$@"; do [ "$n" -ge 3 ] && return 1; n=$((n + 1)); sleep 10; done; }

PKGS="build-essential,ca-certificates,curl,xz-utils,patch,binutils,libssl-dev,zlib1g-dev,libffi-dev,\
libbz2-dev,liblzma-dev,libreadline-dev,libncursesw5-dev,libgdbm-dev,uuid-dev,libsqlite3-dev,\
libfontconfig1,libfreetype6,libxkbcommon0,libxkbcommon-x11-0,libxcb-cursor0,libxcb-icccm4,\
libxcb-keysyms1,libxcb-image0,libxcb-render-util0,libxcb-randr0,libxcb-shape0,libxcb-xinerama0,\
libxcb-xkb1,libegl1,libgl1,libdbus-1-3,libglib2.0-0,libcups2,tcl,fonts-wqy-zenhei,fonts-noto-core,fonts-dejavu-core"

if [ ! -f "$CHROOT/etc/debian_version" ]; then
  say "debootstrap $SUITE from $MIRROR"
  mkdir -p "$BASE"
  retry debootstrap --variant=minbase --include="$PKGS" "$SUITE" "$CHROOT" "$MIRROR"
else
  say "reusing $CHROOT ($(cat "$CHROOT/etc/debian_version"))"
  cp /etc/resolv.conf "$CHROOT/etc/resolv.conf"
  # shellcheck disable=SC2046
  chroot "$CHROOT" sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(echo "$PKGS" | tr ',' ' ')" >/dev/null
fi
cp /etc/resolv.conf "$CHROOT/etc/resolv.conf"
# The build machine's way to PyPI (its pip settings and the certificates they name) goes in too.
for file in /etc/pip.conf "${PIP_CERT:-}" "${SSL_CERT_FILE:-}" "${REQUESTS_CA_BUNDLE:-}"; do
  if [ -n "$file" ] && [ -f "$file" ]; then mkdir -p "$CHROOT$(dirname "$file")"; cp "$file" "$CHROOT$file"; fi
done

mounted=()
cleanup() { for m in "${mounted[@]}"; do umount -l "$m" || true; done; }
trap cleanup EXIT
for m in proc sys dev; do
  if ! mountpoint -q "$CHROOT/$m"; then mount --bind "/$m" "$CHROOT/$m"; mounted+=("$CHROOT/$m"); fi
done

CHECK="import pyexpat, ssl, sqlite3, ctypes, lzma, bz2, zlib; print('python ok, sqlite', sqlite3.sqlite_version)"
if ! chroot "$CHROOT" /opt/py311/bin/python3.11 -c "$CHECK" 2>/dev/null; then
  rm -rf "$CHROOT/opt/py311"
  say "CPython $PYSRC_VERSION from Debian's source package"
  SRC="$CHROOT/usr/src/python"
  mkdir -p "$SRC"
  POOL="$MIRROR/pool/main/p/python3.11"
  [ "$MIRROR" = "http://deb.debian.org/debian" ] || POOL="http://deb.debian.org/debian/pool/main/p/python3.11"
  retry curl -sSf -o "$SRC/orig.tar.gz" "$POOL/python3.11_${PYSRC_VERSION}.orig.tar.gz"
  echo "2411c74bda5bbcfcddaf4531f66d1adc73f247f529aee981b029513aefdbf849  $SRC/orig.tar.gz" | sha256sum -c -
  chroot "$CHROOT" sh -euc '
    cd /usr/src/python && rm -rf build && mkdir build && cd build
    tar xzf ../orig.tar.gz --strip-components=1
    # Debian'"'"'s patch series is not applied: outside Debian'"'"'s own build (its Modules/Setup)
    # it left pyexpat unbuilt.  So this Python lacks Debian'"'"'s later security fixes: see
    # docs/install.md.
    ./configure -q --prefix=/opt/py311 --enable-shared --with-ensurepip=install \
      LDFLAGS="-Wl,-rpath,/opt/py311/lib" >/dev/null
    make -s -j"$(nproc)" >/dev/null 2>&1 || make -j1
    make -s install >/dev/null
  '
fi
chroot "$CHROOT" /opt/py311/bin/python3.11 -c "$CHECK"

# SQLite: bullseye's 3.34 lacks ALTER TABLE ... DROP COLUMN (3.35), which the migrations use.
# Build 3.40.1 (bookworm's, from Debian's source package) into /usr/local/lib, where the
# dynamic linker, Python's _sqlite3 and PyInstaller find it before the system's.
if ! chroot "$CHROOT" /opt/py311/bin/python3.11 -c "import sqlite3, sys; sys.exit(sqlite3.sqlite_version_info < (3, 40))"; then
  say "SQLite 3.40.1 from Debian's source package"
  SQ="$CHROOT/usr/src/sqlite"
  mkdir -p "$SQ"
  retry curl -sSf -o "$SQ/orig.tar.xz" "http://deb.debian.org/debian/pool/main/s/sqlite3/sqlite3_3.40.1.orig.tar.xz"
  echo "aaa776260ab4dc976db34aa7891819484c8676b5b2783123ebc6301e2ca5d655  $SQ/orig.tar.xz" | sha256sum -c -
  chroot "$CHROOT" sh -euc '
    cd /usr/src/sqlite && rm -rf build && mkdir build && cd build
    tar xJf ../orig.tar.xz --strip-components=1
    CFLAGS="-O2 -DSQLITE_ENABLE_FTS3 -DSQLITE_ENABLE_FTS5 -DSQLITE_ENABLE_RTREE -DSQLITE_ENABLE_COLUMN_METADATA -DSQLITE_ENABLE_DBSTAT_VTAB -DSQLITE_SECURE_DELETE -DSQLITE_ENABLE_UNLOCK_NOTIFY" \
      ./configure -q --prefix=/usr/local --disable-static --disable-tcl >/dev/null
    make -s -j"$(nproc)" libsqlite3.la >/dev/null 2>&1
    make -s lib_install >/dev/null
    ldconfig
  '
fi
chroot "$CHROOT" /opt/py311/bin/python3.11 -c "$CHECK"

say "the checkout, copied in"
rm -rf "$CHROOT/src/caseworker"
mkdir -p "$CHROOT/src"
git -C "$ROOT" archive --format=tar --prefix=caseworker/ HEAD | tar -x -C "$CHROOT/src"
chroot "$CHROOT" env OUT=/src/out PYTHON=/opt/py311/bin/python3.11 PIP_PINS="$PYSIDE_PIN" \
  DEB_COMPRESS="${DEB_COMPRESS:-xz}" bash /src/caseworker/packaging/build-linux.sh
mkdir -p "$BASE/out"
cp "$CHROOT"/src/out/*.deb "$CHROOT/src/out/glibc.json" "$CHROOT/src/out/size.json" "$BASE/out/"
say "done: $(ls "$BASE"/out/*.deb)"
