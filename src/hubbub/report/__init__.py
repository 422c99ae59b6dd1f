"""Reports: a workspace's window as one self-contained document, and the weekly digest.

:func:`build_report` reads the store into a :class:`Report` (the figures the pages
show, for the window and the one before); :func:`render_html` makes it one HTML file
with its CSS and charts inside; :func:`print_pdf` prints that offline with headless
chromium; :mod:`hubbub.report.digest` mails last week's report once a week.
``hubbub report`` and the web's Report link are thin faces over these.
"""

from hubbub.report.model import Report, ReportError, build_report
from hubbub.report.pdf import PdfError, print_pdf
from hubbub.report.render import CSP, render_html
from hubbub.report.window import Window, WindowError, dates_window, last_days, parse_day

__all__ = [
    "CSP",
    "PdfError",
    "Report",
    "ReportError",
    "Window",
    "WindowError",
    "build_report",
    "dates_window",
    "last_days",
    "parse_day",
    "print_pdf",
    "render_html",
]
