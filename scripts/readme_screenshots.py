"""Copy the browser tests' screenshots into docs/screenshots/ for the README.

The Playwright tests save a full-page PNG of every page to ``screenshots/`` (not
kept in git). This keeps a small, cropped copy of the ones the README shows, so the
README pictures stay true to what the tests saw: run the tests, then this script.

    .venv/bin/pytest tests/e2e && .venv/bin/python scripts/readme_screenshots.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "screenshots"
TARGET = ROOT / "docs" / "screenshots"

#: the pages the README shows, in its order: screenshot name -> kept name
PAGES = {
    "overview": "overview",
    "streams": "streams",
    "stream-edit": "stream-edit",
    "mentions": "mentions",
    "insight": "insight",
    "inbox": "inbox",
    "audit": "audit",
    "publish": "publish",
    "settings": "settings",
    "goals": "goals",
    "inbox-phone": "inbox-phone",
    "report": "report",
}
WIDTH = 960  # pixels; the tests shoot at 1280
MAX_HEIGHT = 1300  # the top of a long page is what a reader needs


def main() -> int:
    TARGET.mkdir(parents=True, exist_ok=True)
    missing = [name for name in PAGES if not (SOURCE / f"{name}.png").exists()]
    if missing:
        print(f"missing in {SOURCE}: {', '.join(missing)} (run the browser tests first)")
        return 1
    for name, kept in PAGES.items():
        with Image.open(SOURCE / f"{name}.png") as image:
            image = image.convert("RGB")
            if image.width > WIDTH:
                image = image.resize(
                    (WIDTH, round(image.height * WIDTH / image.width)), Image.Resampling.LANCZOS
                )
            image = image.crop((0, 0, image.width, min(image.height, MAX_HEIGHT)))
            image = image.quantize(colors=128, method=Image.Quantize.MEDIANCUT)
            image.save(TARGET / f"{kept}.png", optimize=True)
        print(f"{kept}.png: {(TARGET / f'{kept}.png').stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
