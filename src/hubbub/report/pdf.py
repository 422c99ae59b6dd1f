"""The report as a PDF, printed offline by headless chromium.

Why chromium rather than a Python PDF library: the report is HTML with print CSS and
inline SVG already, and chromium prints exactly what a browser shows (page breaks,
SVG, fonts) with nothing to keep in step; hubbub's browser tests need Debian's
chromium anyway. It runs as a child process on a file in a temporary folder, with a
throwaway profile and every background fetch turned off (``--disable-background-
networking`` and friends), so printing contacts nothing; the document itself loads
nothing either (:mod:`hubbub.report.render`).

Chromium is ``HUBBUB_CHROMIUM`` when set, else the first of :data:`NAMES` on ``PATH``;
without one, :class:`PdfError` says so in one line.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

__all__ = ["FLAGS", "NAMES", "PdfError", "find_chromium", "print_pdf"]

#: the executables tried on PATH, in order
NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

#: headless printing with nothing fetched in the background
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-pdf-header-footer",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--no-first-run",
    "--no-default-browser-check",
    "--mute-audio",
)


class PdfError(RuntimeError):
    """The PDF could not be printed: no chromium, or chromium failed; one line."""


def find_chromium(configured: str = "") -> str:
    """The chromium to print with: ``configured`` (a path or a name on PATH), else the
    first of :data:`NAMES` found; :class:`PdfError` when there is none."""
    if configured:
        found = shutil.which(configured)
        if found is None:
            raise PdfError(f"HUBBUB_CHROMIUM={configured}: no such program")
        return found
    for name in NAMES:
        found = shutil.which(name)
        if found is not None:
            return found
    raise PdfError(
        "no chromium found to print the PDF: install it (apt install chromium) or set "
        "HUBBUB_CHROMIUM to its path; an .html report needs none"
    )


def print_pdf(html: str, out: Path, *, chromium: str = "", timeout: float = 120.0) -> Path:
    """Print the HTML document ``html`` to the PDF file ``out``; returns ``out``."""
    program = find_chromium(chromium)
    with tempfile.TemporaryDirectory(prefix="hubbub-report-") as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(html, encoding="utf-8")
        target = Path(tmp) / "report.pdf"
        command = [
            program,
            *FLAGS,
            f"--user-data-dir={Path(tmp) / 'profile'}",
            f"--print-to-pdf={target}",
            page.as_uri(),
        ]
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            raise PdfError(f"chromium took more than {timeout:g} s to print the PDF") from None
        except OSError as exc:
            raise PdfError(f"{program}: {exc.strerror or exc}") from None
        if not target.is_file() or target.stat().st_size == 0:
            lines = [ln for ln in (done.stderr or "").splitlines() if ln.strip()]
            why = lines[-1].strip()[:300] if lines else f"exit code {done.returncode}"
            raise PdfError(f"chromium printed no PDF: {why}")
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(target, out)
    return out
