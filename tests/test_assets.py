"""lib/web/assets.py: Leaflet copied from the xstatic-leaflet package for the offline map."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from lib.web import assets

xstatic_leaflet = pytest.importorskip("xstatic.pkg.leaflet", reason="xstatic-leaflet not installed (make setup)")


def test_copies_leaflet_into_an_empty_folder(tmp_path: Path) -> None:
    dest = tmp_path / "static" / "vendor" / "leaflet"
    assert assets.install_leaflet(dest) is True
    source = Path(xstatic_leaflet.BASE_DIR)
    for name in ("leaflet.js", "leaflet.css"):
        assert (dest / name).read_bytes() == (source / name).read_bytes()
    assert (dest / "images" / "marker-icon.png").read_bytes() == (source / "images" / "marker-icon.png").read_bytes()
    assert (dest / "images" / "layers.png").is_file()  # the layer control's icon, named by leaflet.css
    assert "BSD 2-Clause" in (dest / "LICENSE").read_text(encoding="utf-8")
    assert (dest / "VERSION").read_text(encoding="utf-8").strip() == xstatic_leaflet.VERSION
    assert assets.installed_version(dest) == xstatic_leaflet.VERSION
    assert f"Leaflet {xstatic_leaflet.VERSION}" in (dest / "leaflet.js").read_text(encoding="utf-8")[:300]
    assert [p.name for p in dest.parent.iterdir()] == ["leaflet"], "the staging folder was left behind"


def test_a_second_call_does_nothing(tmp_path: Path) -> None:
    dest = tmp_path / "leaflet"
    assert assets.install_leaflet(dest) is True
    stamp = (dest / "leaflet.js").stat().st_mtime_ns
    assert assets.install_leaflet(dest) is False
    assert (dest / "leaflet.js").stat().st_mtime_ns == stamp


def test_another_version_is_replaced_whole(tmp_path: Path) -> None:
    dest = tmp_path / "leaflet"
    assets.install_leaflet(dest)
    (dest / "VERSION").write_text("1.7.1\n", encoding="utf-8")
    (dest / "stale.js").write_text("// from the old version", encoding="utf-8")
    assert assets.installed_version(dest) == "1.7.1"
    assert assets.install_leaflet(dest) is True
    assert assets.installed_version(dest) == xstatic_leaflet.VERSION
    assert not (dest / "stale.js").exists()


def test_a_missing_file_is_put_back(tmp_path: Path) -> None:
    dest = tmp_path / "leaflet"
    assets.install_leaflet(dest)
    (dest / "leaflet.css").unlink()
    assert assets.installed_version(dest) is None
    assert assets.install_leaflet(dest) is True
    assert (dest / "leaflet.css").is_file()


def test_says_what_to_do_when_the_package_is_not_installed(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setitem(sys.modules, "xstatic.pkg.leaflet", None)  # import now fails, as when not installed
    with pytest.raises(assets.LeafletMissing, match="xstatic-leaflet") as err:
        assets.install_leaflet(tmp_path / "leaflet")
    assert "make setup" in str(err.value) and "pip install -r requirements.txt" in str(err.value)
    assert not (tmp_path / "leaflet").exists()
    monkeypatch.setattr(assets, "LEAFLET_DIR", tmp_path / "leaflet")
    assert assets.main() == 1
    assert "make setup" in capsys.readouterr().err


def test_the_command_line_installs_then_reports_present(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(assets, "LEAFLET_DIR", tmp_path / "leaflet")
    assert assets.main() == 0
    assert f"Leaflet {xstatic_leaflet.VERSION} installed in" in capsys.readouterr().out
    assert assets.main() == 0
    assert f"Leaflet {xstatic_leaflet.VERSION} already in" in capsys.readouterr().out


def test_the_app_serves_leaflet_from_the_folder_it_fills() -> None:
    from lib.render import maps

    assert assets.LEAFLET_DIR == assets.REPO / "static" / "vendor" / "leaflet"
    assert maps.ASSET_BASE == "/app/static/vendor/leaflet"  # Streamlit serves static/ at /app/static/
