"""Leaflet for the offline map: copied from the PyPI package ``xstatic-leaflet`` into
``static/vendor/leaflet/``, where Streamlit's static serving publishes it at
``/app/static/vendor/leaflet/...`` (``lib.render.maps.ASSET_BASE``).

Why a copy: Streamlit serves only files under the app's ``static/`` folder, and the map must not
load Leaflet from a CDN (the app works offline). Why from PyPI: the whole set-up is ``pip`` (no
npm), and the version is pinned in requirements.txt with everything else. The copy is git-ignored
(``static/.gitignore``) and made by ``make setup`` (``python -m lib.web.assets``) and again at
server start by app.py, which costs one small file read when it is already there.
"""

from __future__ import annotations

import importlib
import shutil
import sys
import tempfile
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[2]
LEAFLET_DIR = REPO / "static" / "vendor" / "leaflet"
#: What the map needs (the script, its style sheet and the images the style sheet names), and
#: the source map the script names (so a browser's developer tools find it instead of a 404).
LEAFLET_FILES = ("leaflet.js", "leaflet.css", "leaflet.js.map")
LEAFLET_IMAGES = "images"
PACKAGE = "xstatic-leaflet"
MISSING = (
    f"The Python package {PACKAGE} (Leaflet, for the offline map) is not installed in {sys.executable}: "
    "run `make setup` (or `pip install -r requirements.txt`), then start the app again."
)

#: Leaflet's licence (BSD 2-Clause), shipped beside the files it covers: the PyPI package has
#: the files but not the licence text, which their redistribution must carry.
LEAFLET_LICENSE = """BSD 2-Clause License

Copyright (c) 2010-2022, Vladimir Agafonkin
Copyright (c) 2010-2011, CloudMade
All rights reserved.

Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions are met:

1. Redistributions of source code must retain the above copyright notice, this
   list of conditions and the following disclaimer.

2. Redistributions in binary form must reproduce the above copyright notice,
   this list of conditions and the following disclaimer in the documentation
   and/or other materials provided with the distribution.

THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS"
AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE
IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE
FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR
SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER
CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY,
OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
"""


class LeafletMissing(RuntimeError):
    """xstatic-leaflet is not installed, so there is no Leaflet to copy (the message says what to do)."""


def leaflet_package() -> ModuleType:
    """The installed ``xstatic.pkg.leaflet`` (its ``VERSION`` and ``BASE_DIR``), or :class:`LeafletMissing`."""
    try:
        return importlib.import_module("xstatic.pkg.leaflet")
    except ImportError as exc:
        raise LeafletMissing(MISSING) from exc


def installed_version(dest: Path = LEAFLET_DIR) -> str | None:
    """The Leaflet version copied into ``dest`` (its VERSION file), or None when a file is missing."""
    version = dest / "VERSION"
    needed = [dest / name for name in ("leaflet.js", "leaflet.css", "LICENSE")] + [dest / LEAFLET_IMAGES]
    if not version.is_file() or not all(p.exists() for p in needed):
        return None
    return version.read_text(encoding="utf-8").strip()


def install_leaflet(dest: Path = LEAFLET_DIR) -> bool:
    """Copy the installed package's Leaflet into ``dest`` unless the same version is already
    there in full. Returns True when it copied, False when there was nothing to do.

    The copy is made in a folder beside ``dest`` and then moved into place, so a server starting
    meanwhile never sees half a set."""
    leaflet = leaflet_package()
    if installed_version(dest) == leaflet.VERSION:
        return False
    source = Path(leaflet.BASE_DIR)
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".leaflet-", dir=dest.parent))
    try:
        for name in LEAFLET_FILES:
            if (source / name).is_file():
                shutil.copy2(source / name, staging / name)
        shutil.copytree(source / LEAFLET_IMAGES, staging / LEAFLET_IMAGES)
        (staging / "LICENSE").write_text(LEAFLET_LICENSE, encoding="utf-8")
        (staging / "VERSION").write_text(leaflet.VERSION + "\n", encoding="utf-8")
        if dest.exists():
            shutil.rmtree(dest)
        staging.rename(dest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return True


def main() -> int:
    """``python -m lib.web.assets``: install Leaflet and say what was done (exit 1 when the package is missing)."""
    try:
        copied = install_leaflet(LEAFLET_DIR)
    except LeafletMissing as exc:
        print(exc, file=sys.stderr)
        return 1
    version = installed_version(LEAFLET_DIR)
    print(f"Leaflet {version} {'installed in' if copied else 'already in'} {LEAFLET_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
