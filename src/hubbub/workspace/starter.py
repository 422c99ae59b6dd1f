"""A commented starter ``hubbub.toml`` (``hubbub init``) and the bundled example.

The starter is written as text rather than serialised from a dict so that it can
carry comments and commented-out examples of what the user has not told us yet;
a test loads it back to keep it valid.
"""

from __future__ import annotations

import importlib.resources
import json
from pathlib import Path

from hubbub.workspace.derive import slugify

__all__ = ["example_path", "starter_toml"]


def _toml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _commented(line: str, comment: str) -> str:
    """``line`` with ``# comment`` aligned at column 35, as in the bundled example."""
    return f"{line:<33} # {comment}"


def starter_toml(
    name: str,
    town: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    x_handle: str = "",
    website: str = "",
    *,
    slug: str = "",
    country: str = "",
    radius_km: float = 10.0,
    timezone: str = "UTC",
    mastodon_handle: str = "",
    bluesky_handle: str = "",
) -> str:
    """A commented ``hubbub.toml`` for a new business that :func:`load_workspace` accepts.

    What is not known yet is written as commented-out examples to fill in later.
    """
    lines = [
        "# hubbub.toml: the business hubbub listens for.",
        "# hubbub derives four standing searches from it: the brand, each competitor,",
        "# the town (locale) and the trade (industry). Check it with `hubbub mentions`.",
        "# Every key is described in docs/workspace-file.md.",
        "",
        "[business]",
        f"name = {_toml_str(name)}",
        _commented(
            f"slug = {_toml_str(slug or slugify(name))}", "short id used in URLs and the CLI"
        ),
    ]
    lines.append(
        f"website = {_toml_str(website)}" if website else '# website = "https://example.com"'
    )
    lines += [
        '# blog_feed = "https://example.com/blog/feed.xml"',
        _commented(f"timezone = {_toml_str(timezone)}", 'e.g. "America/New_York"'),
        "response_target_hours = 4         # answer people within this many hours",
        'products = []                     # e.g. ["sourdough", "croissant"]',
        'industry_words = []               # e.g. ["bakery", "pastry"]',
        "",
        "[business.handles]                # the business's own accounts, per network",
    ]
    for network, handle, example in (
        ("x", x_handle, "yourhandle"),
        ("mastodon", mastodon_handle, "you@mastodon.social"),
        ("bluesky", bluesky_handle, "you.bsky.social"),
    ):
        handle = handle.strip().removeprefix("@")
        if handle:
            lines.append(f"{network} = {_toml_str(handle)}")
        else:
            lines.append(f"# {network} = {_toml_str(example)}")
    lines.append("")
    if town and latitude is not None and longitude is not None:
        lines += [
            _commented("[locale]", '"around here": mentions within radius_km count as local'),
            f"town = {_toml_str(town)}",
        ]
        lines.append(f"country = {_toml_str(country.upper())}" if country else '# country = "US"')
        lines += [
            f"latitude = {latitude!r}",
            f"longitude = {longitude!r}",
            f"radius_km = {radius_km:g}",
            "nicknames = []                    # other names people use for the place",
        ]
    else:
        lines += [
            '# [locale]                        # "around here": fill in to listen locally',
            f"# town = {_toml_str(town or 'Asheville')}",
            '# country = "US"',
            f"# latitude = {latitude if latitude is not None else 35.5951!r}",
            f"# longitude = {longitude if longitude is not None else -82.5515!r}",
            "# radius_km = 10",
            '# nicknames = ["AVL"]',
        ]
    lines += [
        "",
        "# One [[competitors]] table per competitor:",
        "# [[competitors]]",
        '# name = "Rival Bakehouse"',
        '# handles = { x = "rivalbakes" }',
        "",
        "# One [[team]] table per person who answers mentions (role: owner, manager, staff):",
        "# [[team]]",
        '# name = "Your Name"',
        '# email = "you@example.com"',
        '# role = "owner"',
        "",
        "# Streams beyond the four hubbub derives (kind: event or campaign):",
        "# [[streams]]",
        '# name = "Holiday market"',
        '# kind = "event"',
        "# query = '\"holiday market\" (asheville OR avl)'",
        "",
    ]
    return "\n".join(lines)


def example_path() -> Path:
    """The bundled example workspace: Larkspur Bakery in Asheville, NC (the demo's business)."""
    resource = importlib.resources.files("hubbub") / "examples" / "bakery.toml"
    return Path(str(resource))
