"""The composer measures like each network and splits at sentence boundaries."""

from __future__ import annotations

import itertools

import regex

from hubbub.publish.compose import Attachment, MediaLimits, check, split_thread


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
    media = [_jpeg(f"{i}.jpg", alt="a loaf") for i in range(5)]
    many = check(["hi"], ["x", "bluesky"], media)
    assert "X takes at most 4 images; 5 given" in many.errors
    assert "Bluesky takes at most 4 images; 5 given" in many.errors
    no_alt = check(["hi"], ["x"], [_jpeg("a.jpg")])
    assert no_alt.ok and no_alt.warnings == (
        "image 1 (a.jpg) has no alt text: people using screen readers will not know what it shows",
    )


def _jpeg(name: str, size: int = 200_000, alt: str = "", **changes: object) -> Attachment:
    fields: dict[str, object] = {
        "sha256": "ab" * 32,
        "mime": "image/jpeg",
        "size": size,
        "width": 1600,
        "height": 1200,
        "alt": alt,
        "name": name,
    }
    fields.update(changes)
    return Attachment(**fields)  # type: ignore[arg-type]


def test_images_are_checked_against_each_networks_limits() -> None:
    big = _jpeg("big.jpg", size=2_500_000, alt="a loaf")
    found = check(["hi"], ["x", "mastodon", "bluesky"], [big])
    assert found.errors == (
        "image 1 (big.jpg) is 2,500,000 bytes; Bluesky takes at most 1,000,000 bytes per image",
    )
    huge = _jpeg("huge.png", size=6 * 1024 * 1024, alt="a", mime="image/png")
    assert (
        "image 1 (huge.png) is 6 MB; X takes at most 5 MB per image"
        in check(["hi"], ["x"], [huge]).errors
    )
    assert check(["hi"], ["mastodon"], [huge]).ok  # Mastodon takes 16 MB
    gif = _jpeg("spin.gif", size=9 * 1024 * 1024, alt="a", mime="image/gif", animated=True)
    assert check(["hi"], ["x"], [gif]).ok  # an animated GIF may be 15 MB on X...
    assert (
        "X takes an animated GIF only as the post's one image"
        in check(["hi"], ["x"], [gif, _jpeg("b.jpg", alt="b")]).errors
    )  # ...alone
    wide = _jpeg("wide.jpg", alt="a", width=9000, height=5000)
    assert (
        "image 1 (wide.jpg) is 9,000 × 5,000 pixels; Mastodon takes at most 33,177,600 pixels"
        in check(["hi"], ["mastodon"], [wide]).errors
    )
    bmp = _jpeg("old.bmp", alt="a", mime="image/bmp")
    assert "image 1 (old.bmp) is BMP, which X does not take" in check(["hi"], ["x"], [bmp]).errors
    wordy = _jpeg("a.jpg", alt="w" * 1001)
    assert check(["hi"], ["x"], [wordy]).errors == (
        "the alt text of image 1 (a.jpg) is 1,001 characters; X takes 1,000",
    )
    assert check(["hi"], ["mastodon"], [wordy]).ok  # Mastodon takes 1,500
    # an instance's own limits replace the defaults
    small = MediaLimits(2, 1_000_000, frozenset({"image/jpeg"}))
    assert (
        "Mastodon takes at most 2 images; 3 given"
        in check(["hi"], ["mastodon"], [big] * 3, {"mastodon": small}).errors
    )


def test_bluesky_counts_bytes_too() -> None:
    chefs = "👩‍🍳" * 300  # 300 graphemes, 3,300 bytes
    found = check([chefs], ["bluesky"])
    assert found.for_network("bluesky")[0].length == 300
    assert found.errors == (
        "the post is 3,300 bytes long; Bluesky takes 3,000 (emoji and accented letters take "
        "several bytes each)",
    )
    assert check(["👩‍🍳" * 272], ["bluesky"]).ok  # 2,992 bytes


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
