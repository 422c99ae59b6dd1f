"""The composer measures like each network and splits at sentence boundaries."""

from __future__ import annotations

import itertools

import regex

from hubbub.publish.compose import Attachment, check, split_thread


def test_one_text_checked_for_three_networks() -> None:
    text = "Fresh sourdough at 7 https://larkspurbakery.com/menu/today?ref=abcdefghijklmnop"
    found = check([text], ["x", "mastodon", "bluesky"])
    assert found.ok
    by = {c.network: c for c in found.checks}
    # X and Mastodon count the URL as 23; Bluesky counts every grapheme
    assert by["x"].length == len("Fresh sourdough at 7 ") + 23
    assert by["mastodon"].length == len("Fresh sourdough at 7 ") + 23
    assert by["bluesky"].length == len(text)
    assert (by["x"].limit, by["mastodon"].limit, by["bluesky"].limit) == (280, 500, 300)


def test_too_long_for_bluesky_only() -> None:
    text = "a" * 290 + " 👍🏽" * 5  # each emoji with its modifier: one grapheme, X counts 2+2
    found = check([text], ["mastodon", "bluesky", "x"])
    assert not found.ok
    graphemes = len(regex.findall(r"\X", text))
    assert graphemes == 300 and not any("Bluesky" in e for e in found.errors)
    assert any("X's 280" in e for e in found.errors)
    assert found.for_network("mastodon")[0].fits


def test_errors_and_warnings_name_the_problem() -> None:
    found = check(["hello", "  "], ["x", "myspace"])
    assert "unknown network 'myspace': use one of x, mastodon, bluesky" in found.errors
    assert "part 2 of the thread is empty" in found.errors
    assert check([""], ["x"]).errors == ("write something to post",)
    assert check(["hi"], []).errors == ("choose at least one network",)
    media = [Attachment(f"/p/{i}.jpg", "a loaf") for i in range(5)]
    many = check(["hi"], ["x", "bluesky"], media)
    assert "X takes at most 4 images; 5 given" in many.errors
    assert "Bluesky takes at most 4 images; 5 given" in many.errors
    no_alt = check(["hi"], ["x"], [Attachment("/p/a.jpg")])
    assert no_alt.ok and no_alt.warnings == ("image 1 (/p/a.jpg) has no alt text",)


def test_split_keeps_sentences_and_every_part_fits() -> None:
    sentences = [f"Sentence number {i} is about bread and butter and jam." for i in range(20)]
    text = " ".join(sentences)
    parts = split_thread(text, ["x", "bluesky"])
    assert len(parts) > 1
    assert " ".join(parts) == text  # nothing lost, nothing reordered
    for part in parts:
        assert check([part], ["x", "bluesky"]).ok
        assert part.endswith(".")  # cut between sentences
    # packed: no two neighbours would fit together
    for a, b in itertools.pairwise(parts):
        assert not check([f"{a} {b}"], ["x", "bluesky"]).ok


def test_split_cuts_a_long_sentence_between_words() -> None:
    text = " ".join(["word"] * 200)  # 999 characters, no sentence end
    parts = split_thread(text, ["bluesky"])
    assert " ".join(parts) == text
    assert all(len(p) <= 300 for p in parts) and len(parts) == 4
    assert split_thread("short.", ["x"]) == ["short."]
    assert split_thread("   ") == []
