"""Export footers: the link back to the view and the lines saying where the numbers come from."""

from __future__ import annotations

from lib.exports import footer


def test_view_url_and_env(monkeypatch):
    monkeypatch.delenv(footer.PUBLIC_URL_ENV, raising=False)
    assert (
        footer.view_url(None, "profile", {"nbhd": "N1", "bench": "england"})
        == "http://localhost:8501/profile?nbhd=N1&bench=england"
    )
    monkeypatch.setenv(footer.PUBLIC_URL_ENV, "https://np.example.org/")
    assert footer.view_url(None, "map", {"ind": "idaci"}) == "https://np.example.org/map?ind=idaci"


def test_footer_lines_wrap_and_say_everything():
    lines = footer.footer_lines(
        "A very long source " * 20, "2021/22", ["derived", "modelled"], "http://x/profile?nbhd=N1"
    )
    assert all(len(line) <= footer.FOOTER_CHARS for line in lines)
    text = " ".join(lines)
    for word in ("Source:", "Period: 2021/22", "DERIVED, MODELLED ESTIMATE", "Accessed on", "nbhd=N1"):
        assert word in text
