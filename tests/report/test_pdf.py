"""The PDF: printed by Debian's chromium, read back with pypdf (its pages and its text)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hubbub.report import PdfError, build_report, dates_window, print_pdf, render_html
from hubbub.report.pdf import find_chromium
from hubbub.store import Store
from tests.report.helpers import FIRST, LAST, NOW, TZ, fill

CHROMIUM = "/usr/bin/chromium"
needs_chromium = pytest.mark.skipif(
    shutil.which(CHROMIUM) is None, reason=f"chromium not found at {CHROMIUM}"
)


@needs_chromium
@pytest.mark.browser
def test_the_pdf_has_a_page_per_section_and_the_report_s_text(tmp_path: Path) -> None:
    pypdf = pytest.importorskip("pypdf", reason="pypdf (the dev extra) reads the PDF")
    with Store.open(f"sqlite:///{tmp_path / 'h.db'}") as store:
        fill(store)
        with store.connect() as conn:
            report = build_report(conn, "larkspur", dates_window(FIRST, LAST, TZ), now=NOW)
    out = print_pdf(render_html(report), tmp_path / "pdf" / "report.pdf", chromium=CHROMIUM)
    assert out.read_bytes().startswith(b"%PDF-")
    reader = pypdf.PdfReader(str(out))
    pages = [page.extract_text() for page in reader.pages]
    # six sections, each starting a page (who-what-when... runs over more than one)
    starts = ["At a glance", "Who, what, when", "Listening summary", "Goals", "Audit of your"]
    starts.append("Needing attention")
    found = [next((i for i, text in enumerate(pages) if s in text), -1) for s in starts]
    assert -1 not in found, found
    assert found == sorted(found) and len(set(found)) == len(found)
    assert len(pages) >= len(starts)
    assert "Larkspur Bakery" in pages[0] and "Nov 1 – Nov 7, 2026" in pages[0]
    assert f"{report.totals.mentions:,}" in pages[0]
    box = reader.pages[0].mediabox  # a printable page, not one long strip
    assert 500 < float(box.height) < 900 and 500 < float(box.width) < 700


def test_no_chromium_is_one_clear_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(PdfError) as caught:
        find_chromium()
    assert "no chromium found" in str(caught.value) and "\n" not in str(caught.value)
    with pytest.raises(PdfError, match="HUBBUB_CHROMIUM=/nowhere/chromium: no such program"):
        print_pdf("<!doctype html>", tmp_path / "x.pdf", chromium="/nowhere/chromium")
    assert not (tmp_path / "x.pdf").exists()


def test_a_chromium_that_prints_nothing_is_reported(tmp_path: Path) -> None:
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\necho 'cannot open display' >&2\nexit 3\n")
    fake.chmod(0o755)
    with pytest.raises(PdfError, match="chromium printed no PDF: cannot open display"):
        print_pdf("<!doctype html>", tmp_path / "x.pdf", chromium=str(fake))
