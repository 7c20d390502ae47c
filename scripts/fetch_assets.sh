#!/usr/bin/env bash
# Fetch the browser assets from the npm registry (never committed). Idempotent: skips what is present.
#   - Leaflet, for the Map page: into static/vendor/leaflet/, served by Streamlit at
#     /app/static/vendor/... (static/.gitignore ignores vendor/).
#   - axe-core, for the accessibility tests only: into tests/e2e/vendor/axe-core/ (git-ignored
#     there, and outside static/, so the app never serves it to users).
# Needs `npm` (or set NPM=/path/to/npm).
# Usage: bash scripts/fetch_assets.sh   (from anywhere; add --force to refetch)
set -euo pipefail

LEAFLET_VERSION="1.9.4"
AXE_VERSION="4.10.3"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NPM="${NPM:-npm}"
FORCE="${1:-}"

# have DEST VERSION FILE...: the files are there with the pinned version (and no --force)
have() {
  local dest="$1" version="$2"; shift 2
  [[ "$FORCE" != "--force" && -f "$dest/VERSION" && "$(cat "$dest/VERSION")" == "$version" ]] || return 1
  for f in "$@"; do [[ -f "$dest/$f" ]] || return 1; done
}

# fetch PACKAGE VERSION TMP: `npm pack` it into TMP and unpack (to TMP/package)
fetch() {
  (cd "$3" && "$NPM" pack "$1@$2" --silent >/dev/null)
  tar -xzf "$3/$1-$2.tgz" -C "$3"
}

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

DEST="$ROOT/static/vendor/leaflet"
if have "$DEST" "$LEAFLET_VERSION" leaflet.js leaflet.css; then
  echo "Leaflet $LEAFLET_VERSION already in $DEST (skipping)"
else
  mkdir -p "$TMP/leaflet"
  fetch leaflet "$LEAFLET_VERSION" "$TMP/leaflet"
  rm -rf "$DEST"
  mkdir -p "$DEST"
  cp -R "$TMP"/leaflet/package/dist/. "$DEST"/
  cp "$TMP"/leaflet/package/LICENSE "$DEST"/LICENSE
  echo "$LEAFLET_VERSION" > "$DEST/VERSION"
  test -f "$DEST/leaflet.js" && test -f "$DEST/leaflet.css" && test -f "$DEST/images/marker-icon.png"
  echo "Leaflet $LEAFLET_VERSION installed in $DEST"
fi

DEST="$ROOT/tests/e2e/vendor/axe-core"
if have "$DEST" "$AXE_VERSION" axe.min.js; then
  echo "axe-core $AXE_VERSION already in $DEST (skipping)"
else
  mkdir -p "$TMP/axe"
  fetch axe-core "$AXE_VERSION" "$TMP/axe"
  rm -rf "$DEST"
  mkdir -p "$DEST"
  cp "$TMP"/axe/package/axe.min.js "$TMP"/axe/package/LICENSE "$DEST"/
  echo "$AXE_VERSION" > "$DEST/VERSION"
  test -s "$DEST/axe.min.js"
  echo "axe-core $AXE_VERSION installed in $DEST"
fi
