"""The workspace file: loading, every problem at its line, derived streams, the starter."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hubbub.model import Stream
from hubbub.query import parse
from hubbub.workspace import (
    WorkspaceFileError,
    derive_streams,
    example_path,
    load_workspace,
    parse_workspace,
    starter_toml,
)


def _problems(text: str) -> dict[int, str]:
    with pytest.raises(WorkspaceFileError) as info:
        parse_workspace(text)
    lines = str(info.value).splitlines()
    assert all(re.match(r"^hubbub\.toml:\d+: ", line) for line in lines), lines
    return {int(line.split(":")[1]): line.split(": ", 1)[1] for line in lines}


def test_the_example_loads_with_derived_streams_first() -> None:
    ws = load_workspace(example_path())
    assert ws.slug == "larkspur" and ws.timezone == "America/New_York"
    kinds = [s.kind for s in ws.streams]
    assert kinds == ["brand", "competitor", "competitor", "locale", "industry", "event"]
    assert ws.streams[-1].name == "Holiday market"
    assert ws.locale is not None and ws.locale.radius_km == 15.0
    assert ws.team[0].role == "owner" and ws.competitors[1].handles["x"] == "mountaincrust"


def test_derived_queries_follow_the_recipe_and_parse() -> None:
    streams = {s.name: s for s in derive_streams(load_workspace(example_path()))}
    brand = streams["Larkspur Bakery"].query
    assert brand.startswith('"Larkspur Bakery" OR @larkspurbakes OR @larkspur@mastodon.social')
    assert '#larkspurbakery OR url:"larkspurbakery.com" OR (larkspur (bakery OR ' in brand
    assert brand.endswith('focaccia OR "cold brew"))')
    assert streams["Flour Child Bakehouse"].query == (
        '"Flour Child Bakehouse" OR @flourchildavl OR @flourchild.bsky.social'
        " OR #flourchildbakehouse"
    )
    assert streams["Asheville"].query == (
        'asheville OR avl OR "west asheville" OR "river arts district" OR #asheville OR #avl'
        " OR point_radius:[-82.5515 35.5951 15km]"
    )
    industry = streams["Industry"]
    assert industry.kind == "industry"
    assert industry.query.startswith('bakery OR bakeries OR "artisan bread"')
    assert '"cinnamon roll"' in industry.query and "sourdough" in industry.query
    for stream in streams.values():
        parse(stream.query)  # the query language accepts every derived query


def test_derive_streams_is_pure_and_skips_what_is_absent() -> None:
    ws = parse_workspace('[business]\nname = "Solo"\n')
    assert derive_streams(ws) == derive_streams(ws) == (Stream("Solo", "Solo OR #solo", "brand"),)


def test_every_problem_is_reported_at_its_line() -> None:
    text = "\n".join(
        [
            "[business]",  # 1
            'nmae = "Larkspur"',  # 2
            'slug = "Not A Slug"',  # 3
            'timezone = "America/New_Yrok"',  # 4
            "",  # 5
            "[business.handles]",  # 6
            'myspace = "larkspur"',  # 7
            "",  # 8
            "[locale]",  # 9
            'town = "Asheville"',  # 10
            "latitude = 135.0",  # 11
            "longitude = -82.5",  # 12
            "radius_km = 0",  # 13
            "",  # 14
            "[[team]]",  # 15
            'name = "Bob"',  # 16
            'role = "boss"',  # 17
            "",  # 18
            "[[streams]]",  # 19
            'name = "S"',  # 20
            'kind = "evnt"',  # 21
            'query = "(unbalanced"',  # 22
        ]
    )
    problems = _problems(text)
    assert "name is missing" in problems[1]
    assert "did you mean 'name'" in problems[2]
    assert "slug" in problems[3]
    assert "America/New_York" in problems[4]  # the suggestion
    assert "unknown network 'myspace'" in problems[7]
    assert "latitude" in problems[11]
    assert "radius_km" in problems[13]
    assert "role 'boss'" in problems[17]
    assert "did you mean 'event'" in problems[21]
    assert "query" in problems[22] and "column" in problems[22]


def test_inline_table_keys_and_second_array_items_are_located() -> None:
    text = (
        '[business]\nname = "B"\n\n[[competitors]]\nname = "A"\n\n'
        '[[competitors]]\nname = "C"\nhandles = { x = "fine", facebook = "c" }\n'
    )
    problems = _problems(text)
    assert list(problems) == [9] and "facebook" in problems[9]


def test_toml_syntax_errors_take_tomllib_line() -> None:
    problems = _problems('[business]\nname = "x"\nwebsite = "unterminated\n')
    assert list(problems) == [3] and problems[3].startswith("TOML syntax")


def test_wrong_types_and_stream_name_clash() -> None:
    text = (
        '[business]\nname = "Larkspur"\nproducts = "bread"\n'
        '[[streams]]\nname = "larkspur"\nquery = "bread"\npaused = "no"\n'
    )
    problems = _problems(text)
    assert "list of texts" in problems[3]
    assert "already taken" in problems[5]
    assert "true or false" in problems[7]


def test_missing_file_is_one_clear_problem(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceFileError, match=r"hubbub\.toml:0: no such file"):
        load_workspace(tmp_path / "hubbub.toml")


@pytest.mark.parametrize(
    ("kwargs", "kinds"),
    [
        ({"name": "Solo"}, ["brand"]),
        (
            {
                "name": 'Joe\'s "Diner"',
                "town": "Paris",
                "latitude": 48.8566,
                "longitude": 2.3522,
                "x_handle": "@joesdiner",
                "website": "https://www.joes.fr/",
            },
            ["brand", "locale"],
        ),
    ],
)
def test_starter_toml_loads_back(
    tmp_path: Path, kwargs: dict[str, object], kinds: list[str]
) -> None:
    path = tmp_path / "hubbub.toml"
    path.write_text(starter_toml(**kwargs), encoding="utf-8")  # type: ignore[arg-type]
    ws = load_workspace(path)
    assert ws.name == kwargs["name"]
    assert [s.kind for s in ws.streams] == kinds
    if "x_handle" in kwargs:
        assert ws.handles == {"x": "joesdiner"}
        assert 'url:"joes.fr"' in ws.streams[0].query
        assert ws.locale is not None and ws.locale.latitude == 48.8566


def test_brand_short_name_counts_only_beside_a_word_of_the_trade() -> None:
    from datetime import UTC, datetime

    from hubbub.model import Account, Post
    from hubbub.pipeline import process

    ws = load_workspace(example_path())
    author = Account("x", "1", "someone")

    def streams_of(text: str) -> set[str]:
        post = Post("x", text, author, text, datetime(2026, 5, 1, tzinfo=UTC))
        return {name for m in process([post], ws) for name in m.streams}

    assert "Larkspur Bakery" in streams_of("The focaccia at Larkspur is sooo good")
    assert "Larkspur Bakery" not in streams_of("My larkspur flowers are blooming")
    # a competitor whose name has no trade word gets no short form
    assert "(" not in derive_streams(ws)[1].query
