from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from hubbub.insight.sentiment import (
    LABELS,
    load_model,
    model,
    sentiment,
    sentiments,
    vader_sentiment,
)
from hubbub.insight.sentiment_features import features, normalise, tokens

ROOT = Path(__file__).resolve().parents[2]
#: The val figure the training script printed for the shipped model (scripts/train_sentiment.py).
SHIPPED_VAL_MACRO_RECALL_FILE = ROOT / "src" / "hubbub" / "insight" / "data" / "sentiment.json"


@pytest.mark.parametrize(
    "text",
    [
        "I love Larkspur Bakery, the croissants are amazing!",
        "Best sourdough in Asheville 😍 thank you!!",
        "Had a great time at the market today, can't wait to go back :)",
    ],
)
def test_clearly_positive(text: str) -> None:
    s = sentiment(text)
    assert s.label == "positive" and s.score > 0.2


@pytest.mark.parametrize(
    "text",
    [
        "Worst service ever. The bread was stale and the staff were rude.",
        "Terrible, disgusting cake. I hate it 😡",
        "The croissant was not good at all, really disappointed",
    ],
)
def test_clearly_negative(text: str) -> None:
    s = sentiment(text)
    assert s.label == "negative" and s.score < -0.2


@pytest.mark.parametrize(
    "text",
    [
        "The bakery opens at 7 on Main Street.",
        "City council meets on Tuesday to discuss the new parking rules",
    ],
)
def test_clearly_neutral(text: str) -> None:
    assert sentiment(text).label == "neutral"


def test_negation_flips_the_label() -> None:
    assert sentiment("the new menu is good").label == "positive"
    assert sentiment("the new menu is not good").label == "negative"


def test_scores_in_range_and_batch_matches_single() -> None:
    texts = ["", "   ", "!!!", "😍😍😍", "@user http://t.co/x", "a" * 2000, "ok", "ugh no"]
    batch = sentiments(texts)
    assert len(batch) == len(texts)
    for text, s in zip(texts, batch, strict=True):
        assert -1.0 <= s.score <= 1.0 and s.label in LABELS
        assert sentiment(text) == s
    assert sentiments([]) == []


def test_deterministic_across_processes() -> None:
    texts = ["I love this place", "meh, it was fine I guess", "never again, awful"]
    code = (
        "import json,sys;from hubbub.insight.sentiment import sentiments;"
        "print(json.dumps([[s.label,s.score] for s in sentiments(json.loads(sys.argv[1]))]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, json.dumps(texts)], capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout) == [[s.label, s.score] for s in sentiments(texts)]


def test_model_is_loaded_once_and_small() -> None:
    assert model() is model()
    shipped = ROOT / "src" / "hubbub" / "insight" / "data" / "sentiment.npz"
    assert shipped.stat().st_size < 50_000_000
    assert len(model().vocab) == model().weights.shape[0]


def test_bad_model_file_is_named(tmp_path: Path) -> None:
    import numpy as np

    bad = tmp_path / "bad.npz"
    np.savez(
        bad,
        vocab=np.frombuffer(b"a\nb", dtype=np.uint8),
        weights=np.zeros((3, 3)),
        idf=np.ones(3),
        bias=np.zeros(3),
    )
    with pytest.raises(ValueError, match=re.escape(str(bad))):
        load_model(bad)


def test_tokeniser_normalises_tweets() -> None:
    text = normalise('"Sooooo GOOD @bob https://t.co/abc &amp; 2 more"')
    assert text == "sooooo good @user http & 0 more"
    toks = tokens("i don't like it, but 😍 !!!")
    assert toks[:4] == ["i", "don't", "like_neg", "it_neg"]
    assert "but" in toks and "😍" in toks and "!!!" in toks
    assert "<elong>" in features("sooooo good") and "<elong>" not in features("so good")


def test_vader_kept_for_comparison() -> None:
    assert vader_sentiment("I love it").label == "positive"
    assert vader_sentiment("I hate it").label == "negative"
    assert vader_sentiment("It is a table").score == 0.0


def test_shipped_model_reproduces_training_figure(shared_data: Path) -> None:
    val = shared_data / "tweeteval" / "sentiment"
    gold = [int(x) for x in (val / "val_labels.txt").read_text().split()]
    texts = (val / "val_text.txt").read_text("utf-8").split("\n")[: len(gold)]
    pred = [LABELS.index(s.label) for s in sentiments([t.rstrip() for t in texts])]
    recall = [
        sum(1 for g, p in zip(gold, pred, strict=True) if g == k == p) / gold.count(k)
        for k in range(3)
    ]
    trained = json.loads(SHIPPED_VAL_MACRO_RECALL_FILE.read_text())["val"]["macro_recall"]
    assert abs(sum(recall) / 3 - trained) <= 0.005
    vader = [LABELS.index(vader_sentiment(t).label) for t in texts]
    vader_recall = (
        sum(
            sum(1 for g, p in zip(gold, vader, strict=True) if g == k == p) / gold.count(k)
            for k in range(3)
        )
        / 3
    )
    assert sum(recall) / 3 > vader_recall + 0.05


def test_pipeline_scores_the_batch_like_one_by_one() -> None:
    from hubbub.pipeline import process
    from tests.test_pipeline import WS, batch

    posts = batch() + batch()[:2]  # a repeated post counts once
    mentions = process(posts, WS)
    assert mentions
    for m in mentions:
        assert m.insight.sentiment == sentiment(m.post.text)
    feelings = {m.post.id: m.insight.sentiment.label for m in mentions}
    assert feelings["1"] == "positive" and feelings["2"] == "negative"


def test_batch_with_repeated_texts_scores_each_position() -> None:
    texts = ["love it", "hate it", "love it", "it is a table", "hate it"]
    got = sentiments(texts)
    assert got[0] == got[2] and got[1] == got[4]
    assert [s.label for s in got[:2]] == ["positive", "negative"]
    assert got == [sentiment(t) for t in texts]


def test_rows_are_the_features_looked_up_and_batching_changes_no_bit() -> None:
    m = model()
    texts = [
        "I love Larkspur, can't wait to go back!! 😍 #bread",
        "not good, never again... sooooo slow",
        "",
        "the the the the",
        "@bob http://x.co 2 for 1",
    ]
    for text in texts:
        want = sorted(m.vocab[f] for f in features(text) if f in m.vocab)
        assert m.indices(text) == want
    together = m.scores(texts)
    for n, text in enumerate(texts):
        m.token_rows.clear()
        assert together[n].tobytes() == m.scores([text])[0].tobytes()


def test_fast_paths_tokenise_as_the_general_ones() -> None:
    from hubbub.insight import sentiment_features as sf

    ascii_chars = [chr(i) for i in range(128)]
    for a in ascii_chars:  # the re tokeniser for ASCII splits as the regex one
        for b in ascii_chars:
            text = f"x{a}{b}:{a}"
            assert sf._ASCII_TOKEN.findall(text) == sf._TOKEN.findall(text), repr(text)
    # the lexicon loop reads plain tokens first: no entry may look like a marked token
    assert not [w for w in sf.lexicon() if w.startswith("#") or w.endswith("_neg")]
    # unmarked tweets skip the negation pass; these must not
    for text in ("i don't like it", "ca'nt believe it", "ever had a better one", "no way"):
        toks = tokens(normalise(text))
        assert any(t.endswith("_neg") or t.startswith("<neg") for t in toks), toks
    assert normalise("a\tb  c\nd\x1ce") == "a b c d e"


def test_shipped_token_rows_are_the_tokens_features_looked_up() -> None:
    from hubbub.insight.sentiment_features import word_features

    m = model()
    assert len(m.known_rows) > 10_000  # the training tokens seen twice or more
    for token in ["love", "good", "croissant", "#happy", ":)", "!!", "not", "😍"]:
        if token in m.known_rows:
            want = sorted({m.vocab[f] for f in word_features(token) if f in m.vocab})
            assert list(np.frombuffer(m.known_rows[token], dtype=np.intc)) == want, token
    sample = sorted(m.known_rows)[::997]
    for token in sample:
        want = sorted({m.vocab[f] for f in word_features(token) if f in m.vocab})
        assert list(np.frombuffer(m.known_rows[token], dtype=np.intc)) == want, token


def test_token_table_that_does_not_fit_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "bad.npz"
    np.savez(
        bad,
        vocab=np.frombuffer(b"a\nb", dtype=np.uint8),
        weights=np.zeros((2, 3)),
        idf=np.ones(2),
        bias=np.zeros(3),
        tokens=np.frombuffer(b"a", dtype=np.uint8),
        token_offsets=np.array([0, 1]),
        token_rows=np.array([5], dtype=np.int32),  # no row 5 in a vocab of two
    )
    with pytest.raises(ValueError, match="token table"):
        load_model(bad)
    np.savez(
        bad,
        vocab=np.frombuffer(b"a\nb", dtype=np.uint8),
        weights=np.zeros((2, 3)),
        idf=np.ones(2),
        bias=np.zeros(3),
        tokens=np.frombuffer(b"a", dtype=np.uint8),
        token_offsets=np.array([0, 1]),
        token_rows=np.array([1], dtype=np.int32),
    )
    assert load_model(bad).known_rows == {"a": np.array([1], dtype=np.intc).tobytes()}


def test_texts_scored_before_are_remembered_across_batches(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from hubbub.insight import sentiment as module

    module.forget_sentiments()
    first = sentiments(["love it", "hate it"])
    assert set(module._FELT) == {"love it", "hate it"}
    calls: list[int] = []
    real = module.SentimentModel.predict

    def counting(self: module.SentimentModel, texts: list[str]) -> list[object]:
        calls.append(len(texts))
        return real(self, texts)  # type: ignore[return-value]

    monkeypatch.setattr(module.SentimentModel, "predict", counting)
    again = sentiments(["hate it", "it is a table", "love it", "it is a table"])
    assert calls == [1]  # only the new text, once
    assert again[0] == first[1] and again[2] == first[0] and again[1] == again[3]
    assert sentiment("love it") == first[0] and calls == [1]
    module.forget_sentiments()
    assert sentiments(["love it"]) == [first[0]] and calls == [1, 1]
