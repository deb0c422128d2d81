#!/usr/bin/env bash
# Build the one-folder bundle (PyInstaller) and the .deb, from a clean checkout.
#
#     bash packaging/build-linux.sh            # -> build/linux/caseworker_VERSION_ARCH.deb
#
# Environment:
#   PYTHON    the interpreter to bundle (default: python3; 3.11 or later, built with --enable-shared
#             or a static libpython is fine, PyInstaller handles both)
#   OUT       the build folder (default: build/linux)
#   PIP_PINS  extra requirements, e.g. "PySide6-Essentials==6.8.3" for an old-glibc build
#   DEB_COMPRESS  dpkg-deb compression: xz (default, smallest), gzip, or none (fastest; CI)
#
# Needs: the fonts of packaging/linux-deps.sh (fonts-wqy-zenhei, fonts-noto-core,
# fonts-dejavu-core; their files and licences are copied into the bundle), dpkg-deb, objdump
# (binutils), and the network for PyPI (retried).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="${OUT:-$ROOT/build/linux}"
PYTHON="${PYTHON:-python3}"
PIP_PINS="${PIP_PINS:-}"
DEB_COMPRESS="${DEB_COMPRESS:-xz}"
VERSION="$(sed -n 's/^__version__ = "\(.*\)"/\1/p' "$ROOT/caseworker/__init__.py")"
ARCH="$(dpkg --print-architecture 2>/dev/null || uname -m)"
START=$(date +%s)
say() { echo "[build-linux $(($(date +%s) - START))s] $*"; }

retry() {  # retry a network step: 3 tries, 10 s apart
  local n=1
  until "$@"; do
    if [ "$n" -ge 3 ]; then echo "failed 3 times: $*" >&2; return 1; fi
    n=$((n + 1)); echo "retrying ($n/3): $*" >&2; sleep 10
  done
}

rm -rf "$OUT/dist" "$OUT/work" "$OUT/fonts" "$OUT/icons" "$OUT/deb"
mkdir -p "$OUT"

say "build environment: $PYTHON ($("$PYTHON" --version))"
VPY="$OUT/venv/bin/python"
if ! "$VPY" -m pip --version >/dev/null 2>&1; then rm -rf "$OUT/venv" && "$PYTHON" -m venv "$OUT/venv"; fi
# shellcheck disable=SC2086
retry "$VPY" -m pip install -q --upgrade "$ROOT" "pyinstaller>=6.10" $PIP_PINS

say "fonts and their licences"
FONTS="$OUT/fonts"
mkdir -p "$FONTS/LICENSES"
font_file() {  # font_file PACKAGE FILE: the path of FILE as installed by the Debian package
  local found=""
  if command -v dpkg >/dev/null 2>&1; then found="$(dpkg -L "$1" 2>/dev/null | grep "/$2\$" | head -n1 || true)"; fi
  if [ -z "$found" ]; then found="$(find /usr/share/fonts -name "$2" 2>/dev/null | head -n1 || true)"; fi
  if [ -z "$found" ]; then echo "font $2 (Debian package $1) is missing: run 'sh packaging/linux-deps.sh'" >&2; return 1; fi
  echo "$found"
}
for spec in fonts-wqy-zenhei:wqy-zenhei.ttc fonts-noto-core:NotoNaskhArabic-Regular.ttf \
            fonts-noto-core:NotoNaskhArabic-Bold.ttf fonts-dejavu-core:DejaVuSans.ttf \
            fonts-dejavu-core:DejaVuSans-Bold.ttf; do
  pkg="${spec%%:*}"; file="${spec#*:}"
  cp "$(font_file "$pkg" "$file")" "$FONTS/"
  if [ -f "/usr/share/doc/$pkg/copyright" ]; then cp "/usr/share/doc/$pkg/copyright" "$FONTS/LICENSES/$pkg.copyright"; fi
done
for pkg in fonts-wqy-zenhei fonts-noto-core fonts-dejavu-core; do
  if [ ! -f "$FONTS/LICENSES/$pkg.copyright" ]; then echo "licence of $pkg is missing (/usr/share/doc/$pkg/copyright)" >&2; exit 1; fi
done
cp "$ROOT/packaging/FONTS.md" "$FONTS/LICENSES/README.md"

say "icons"
"$VPY" "$ROOT/packaging/make_icons.py" "$ROOT/packaging/linux/caseworker.svg" "$OUT/icons"

say "PyInstaller"
CASEWORKER_FONTS="$FONTS" "$VPY" -m PyInstaller --noconfirm --log-level WARN \
  --distpath "$OUT/dist" --workpath "$OUT/work" "$ROOT/packaging/caseworker.spec"
BUNDLE="$OUT/dist/caseworker"

say "licences of the bundled Python packages, Python and Qt"
"$VPY" "$ROOT/packaging/collect_licenses.py" "$BUNDLE/licenses"

say "smoke test of the bundle"
"$BUNDLE/caseworker" --version

say "glibc floor"
"$VPY" "$ROOT/packaging/glibc_floor.py" "$BUNDLE" --json "$OUT/glibc.json"
FLOOR="$("$VPY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["highest"])' "$OUT/glibc.json")"

# What the bundle does not carry (PyInstaller leaves out the C library, OpenGL/EGL and libxcb,
# which must match the machine): checked, so that Depends stays true.
NOT_BUNDLED="$(cd "$BUNDLE" && find . -type f -name '*.so*' -print0 | xargs -0 objdump -p 2>/dev/null \
  | awk '/NEEDED/{print $2}' | sort -u | while read -r lib; do
      [ -n "$(find . -name "$lib" -print -quit)" ] || echo "$lib"; done | tr '\n' ' ')"
say "libraries taken from the system: $NOT_BUNDLED"
# glibc's own, Depends (libxcb1, libgl1, libegl1) and Suggests (Wayland, DRM).
ALLOWED=" ld-linux-x86-64.so.2 ld-linux-aarch64.so.1 libc.so.6 libm.so.6 libdl.so.2 libpthread.so.0
  librt.so.1 libresolv.so.2 libutil.so.1 libGL.so.1 libEGL.so.1 libOpenGL.so.0 libGLX.so.0
  libxcb.so.1 libdrm.so.2 libwayland-client.so.0 libwayland-cursor.so.0 libwayland-egl.so.1 "
for lib in $NOT_BUNDLED; do
  case "$ALLOWED" in *" $lib"[[:space:]]*) ;; *) echo "the bundle needs $lib from the system: add its package to Depends" >&2; exit 1 ;; esac
done

say "the .deb (glibc >= $FLOOR)"
STAGE="$OUT/deb"
mkdir -p "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
  "$STAGE/usr/share/mime/packages" "$STAGE/usr/share/doc/caseworker" \
  "$STAGE/usr/share/icons/hicolor/scalable/apps"
cp -a "$BUNDLE" "$STAGE/opt/caseworker"
ln -s /opt/caseworker/caseworker "$STAGE/usr/bin/caseworker"
install -m 644 "$ROOT/packaging/linux/caseworker.desktop" "$STAGE/usr/share/applications/caseworker.desktop"
install -m 644 "$ROOT/packaging/linux/caseworker-mime.xml" "$STAGE/usr/share/mime/packages/caseworker.xml"
install -m 644 "$ROOT/packaging/linux/caseworker.svg" "$STAGE/usr/share/icons/hicolor/scalable/apps/caseworker.svg"
for png in "$OUT"/icons/caseworker-*.png; do
  size="$(basename "$png" .png)"; size="${size#caseworker-}"
  install -D -m 644 "$png" "$STAGE/usr/share/icons/hicolor/${size}x${size}/apps/caseworker.png"
done
cat > "$STAGE/usr/share/doc/caseworker/copyright" <<COPYRIGHT
caseworker (就业援助工作台) is MIT-licensed.
The bundle in /opt/caseworker contains Python, Qt (PySide6, LGPLv3) and other libraries; their
licences are in /opt/caseworker/licenses/.  The fonts in
/opt/caseworker/_internal/resources/fonts/ carry their licences in LICENSES/ beside them.
COPYRIGHT
for script in preinst postinst postrm; do install -m 755 "$ROOT/packaging/linux/$script" "$STAGE/DEBIAN/$script"; done
SIZE_KB="$(du -sk "$STAGE" | cut -f1)"
cat > "$STAGE/DEBIAN/control" <<CONTROL
Package: caseworker
Version: $VERSION
Architecture: $ARCH
Maintainer: caseworker project <caseworker@localhost>
Section: misc
Priority: optional
Installed-Size: $SIZE_KB
Depends: libc6 (>= $FLOOR), libxcb1, libgl1 | libgl1-mesa-glx, libegl1 | libegl1-mesa
Recommends: shared-mime-info, desktop-file-utils, hicolor-icon-theme
Suggests: libwayland-client0, libwayland-cursor0, libwayland-egl1, libdrm2
Description: 就业援助工作台 employment assistance workbench (offline)
 An offline desktop program for township job-service stations in Xinjiang:
 the registry of persons with employment difficulty, their recognition under
 notice 新政办发〔2023〕49号, one-to-one assistance and the printed forms.
 Self-contained: Python, Qt and the fonts are inside /opt/caseworker.
CONTROL
DEB="$OUT/caseworker_${VERSION}_${ARCH}.deb"
dpkg-deb --root-owner-group -Z"$DEB_COMPRESS" --build "$STAGE" "$DEB" >/dev/null
du -sk "$BUNDLE" | awk '{printf "{\"bundle_mb\": %.1f, ", $1/1024}' > "$OUT/size.json"
du -sk "$DEB" | awk '{printf "\"deb_mb\": %.1f}\n", $1/1024}' >> "$OUT/size.json"
say "done: $DEB $(cat "$OUT/size.json") glibc floor $FLOOR"
