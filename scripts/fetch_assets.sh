#!/usr/bin/env bash
# Fetch the browser assets the Map page needs (Leaflet) from the npm registry into
# static/vendor/, served by Streamlit at /app/static/vendor/... Idempotent: skips what is present.
# Not committed (static/.gitignore ignores vendor/). Needs `npm` (or set NPM=/path/to/npm).
# Usage: bash scripts/fetch_assets.sh   (from anywhere; add --force to refetch)
set -euo pipefail

LEAFLET_VERSION="1.9.4"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/static/vendor/leaflet"
NPM="${NPM:-npm}"

if [[ "${1:-}" != "--force" && -f "$DEST/leaflet.js" && -f "$DEST/leaflet.css" && -f "$DEST/VERSION" \
      && "$(cat "$DEST/VERSION")" == "$LEAFLET_VERSION" ]]; then
  echo "Leaflet $LEAFLET_VERSION already in $DEST (skipping)"
  exit 0
fi

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
(cd "$TMP" && "$NPM" pack "leaflet@$LEAFLET_VERSION" --silent >/dev/null)
tar -xzf "$TMP"/leaflet-"$LEAFLET_VERSION".tgz -C "$TMP"
rm -rf "$DEST"
mkdir -p "$DEST"
cp -R "$TMP"/package/dist/. "$DEST"/
cp "$TMP"/package/LICENSE "$DEST"/LICENSE
echo "$LEAFLET_VERSION" > "$DEST/VERSION"
test -f "$DEST/leaflet.js" && test -f "$DEST/leaflet.css" && test -f "$DEST/images/marker-icon.png"
echo "Leaflet $LEAFLET_VERSION installed in $DEST"
