"""The neighbourhood's slide deck and one-page PDF open and read back."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from lib.core import data
from lib.core.selection import Selection
from lib.exports import deck, pdf
from lib.render import maps


@pytest.fixture(scope="module")
def layers():
    return {"neighbourhoods": maps.layer_geojson(data.load_layer("neighbourhoods"))}


def test_deck_reopens_with_titles_and_footers(ds, layers):
    from pptx import Presentation

    raw = deck.neighbourhood_deck(ds, Selection("N1", "england", "95"), "http://np.test", layers)
    prs = Presentation(io.BytesIO(raw))
    slides = list(prs.slides)
    assert len(slides) == 8
    titles = []
    for slide in slides:
        texts = [sh.text_frame.text for sh in slide.shapes if sh.has_text_frame]
        titles.append(texts[0])
        footer = [sh for sh in slide.shapes if sh.name == "Footer"]
        assert len(footer) == 1
        ft = footer[0].text_frame.text
        assert "Source" in ft and "Accessed on" in ft and "http://np.test/" in ft and "nbhd=N1" in ft
    assert titles[0] == "N1 · Ancoats, Clayton and Bradford"
    assert titles[1].startswith("Board summary")
    assert titles[2].startswith("Map")
    assert "compares with England" in titles[3]
    assert titles[4].startswith("Compare the 12")
    assert titles[5].startswith("Risk cohorts")
    assert titles[6].startswith("Activity shift") and "modelled" in titles[6]
    assert titles[7] == "Sources and methods"
    pictures = [sh for s in slides for sh in s.shapes if sh.shape_type == 13]
    assert len(pictures) == 3
    for pic in pictures:
        assert Image.open(io.BytesIO(pic.image.blob)).size[0] >= 1600  # high resolution


def test_pdf_opens_with_the_name(ds, layers):
    from pypdf import PdfReader

    raw = pdf.neighbourhood_pdf(ds, Selection("S3", "city", "99.8"), None, layers)
    reader = PdfReader(io.BytesIO(raw))
    assert 1 <= len(reader.pages) <= 2  # the spine table continues on a second page where it needs one
    text = " ".join(p.extract_text() for p in reader.pages)
    name = ds.definition.set_index("neighbourhood_code").loc["S3", "neighbourhood_name"]
    name = name.iloc[0] if hasattr(name, "iloc") else name
    assert name in text
    assert "Accessed on" in text and any(w in text for w in ("Worse", "Better", "Similar"))
