"""The shipped authenticity model: features, the numpy tree walk, reasons, training parity."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from hubbub.insight.authenticity import (
    FEATURES,
    Ensemble,
    authenticity,
    feature_matrix,
    feature_row,
    load_model,
    scores,
)
from hubbub.insight.reasons import reasons
from hubbub.model import Account

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def person(network: str = "x", handle: str = "mayalopez", **kw: object) -> Account:
    base: dict[str, object] = dict(
        name="Maya Lopez", bio="Baker and cyclist", location="Asheville, NC",
        url="https://maya.example", followers=800, following=300, posts=4000,
        created=NOW - timedelta(days=2500),
    )  # fmt: skip
    if network == "x":
        base |= dict(listed=12, verified=False, default_avatar=False, default_profile=False)
    else:
        base |= dict(default_avatar=False)
    base |= kw
    return Account(network, "p-" + handle, handle, **base)  # type: ignore[arg-type]


def bought(handle: str = "jessica48213377", **kw: object) -> Account:
    base: dict[str, object] = dict(
        name="Jessica", followers=4, following=1800, posts=0, listed=0,
        created=NOW - timedelta(days=40), verified=False, default_avatar=True,
        default_profile=True,
    )  # fmt: skip
    base |= kw
    return Account("x", "b-" + handle, handle, **base)  # type: ignore[arg-type]


def col(row: list[float], name: str) -> float:
    return row[FEATURES.index(name)]


def test_the_shipped_model_is_small_and_matches_the_features() -> None:
    model = load_model()
    assert model.features == FEATURES
    assert model.feature.max() < len(FEATURES)
    path = Path(__file__).resolve().parents[2] / "src/hubbub/insight/data/authenticity.npz"
    assert path.stat().st_size < 200_000


def test_hand_made_accounts_on_every_network() -> None:
    genuine = [person("x"), person("mastodon", "maya@mastodon.social"),
               person("bluesky", "maya.bsky.social")]  # fmt: skip
    fakes = [bought(), bought("qwxyzt8812", name="", posts=3), bought("tom_smith_xo")]
    got = scores(genuine + fakes, NOW)
    assert (got[:3] > 0.8).all(), got
    assert (got[3:] < 0.2).all(), got
    one = authenticity(genuine[0], NOW)
    assert one is not None and abs(one - got[0]) < 1e-4  # the scalar and the batch path agree


def test_screen_name_features() -> None:
    row = feature_row(bought("jessica48213377", name="Jessica"), NOW)
    assert col(row, "handle_digits") == 8 and col(row, "handle_trailing_digits") == 8
    assert col(row, "handle_length") == 15
    assert col(row, "name_handle_similarity") == 1.0  # "jessica" is inside the handle
    other = feature_row(person(handle="qzkwv", name="Maya Lopez"), NOW)
    assert col(other, "name_handle_similarity") == 0.0
    assert col(other, "handle_digits") == 0
    assert col(other, "age_days") == 2500.0
    assert col(other, "posts_per_day") == pytest.approx(4000 / 2500)
    mast = feature_row(person("mastodon", "maya99@mastodon.social"), NOW)
    assert col(mast, "handle_length") == 6 and col(mast, "handle_trailing_digits") == 2
    assert math.isnan(col(mast, "has_location")) and math.isnan(col(mast, "listed"))
    assert math.isnan(col(mast, "default_profile")) and col(mast, "has_url") == 1.0


def test_vectorised_walk_equals_the_python_walk_and_explains_exactly() -> None:
    model = load_model()
    rng = np.random.default_rng(3)
    accounts = [person(), bought(), person("bluesky", "a.bsky.social"), bought(posts=None)]
    x = np.vstack([feature_matrix(accounts, NOW), rng.lognormal(2, 3, (300, len(FEATURES)))])
    x[rng.random(x.shape) < 0.2] = np.nan  # missing values take the trees' NaN branches
    raw, contrib = model.explain(x)
    assert np.allclose(raw, [model.raw_one(r) for r in x.tolist()], atol=1e-12)
    # Saabas: the root values, the baseline and the contributions add up to the score.
    roots = model.value[:, 0].sum() + model.baseline
    assert np.allclose(roots + contrib.sum(axis=1), raw, atol=1e-9)
    assert np.allclose(model.raw(x), raw, atol=1e-12)


def test_reasons_point_the_way_of_the_verdict() -> None:
    model = load_model()
    accounts = [bought(following=4210, followers=12), person()]
    x = feature_matrix(accounts, NOW)
    _, contrib = model.explain(x)
    bad = reasons(accounts[0], x[0].tolist(), contrib[0].tolist(), authentic=False)
    good = reasons(accounts[1], x[1].tolist(), contrib[1].tolist(), authentic=True)
    assert "follows 4,210 but followed by 12" in bad
    assert 1 <= len(bad) <= 3 and len(set(bad)) == len(bad)
    assert good and not any("but followed" in r for r in good)
    assert reasons(accounts[0], x[0].tolist(), contrib[0].tolist(), False, k=1) == bad[:1]


def test_shipped_model_reproduces_training_time_predictions(shared_data: Path) -> None:
    from hubbub.audit.botdata import load_cresci

    with np.load(
        Path(__file__).resolve().parents[2] / "src/hubbub/insight/data/authenticity.npz"
    ) as data:
        ids, expected = data["check_ids"].tolist(), data["check_raw"]
    samples = {s.account.id: s for s in load_cresci(shared_data / "bots" / "cresci2015-half")}
    rows = [feature_row(samples[i].account, samples[i].seen) for i in ids]
    got = load_model().raw(np.array(rows))
    assert len(ids) >= 50
    assert np.allclose(got, expected, atol=1e-9)


def test_shipped_model_separates_the_cresci_half(shared_data: Path) -> None:
    from hubbub.audit.botdata import load_cresci

    samples = load_cresci(shared_data / "bots" / "cresci2015-half")
    x = np.array([feature_row(s.account, s.seen) for s in samples])
    fake = np.array([s.questionable for s in samples])
    pred = load_model().raw(x) > 0
    tp = int((pred & fake).sum())
    f1 = 2 * tp / (pred.sum() + fake.sum())
    assert f1 >= 0.98  # 70% of these trained it: this guards the mapping, not generalisation


def test_batch_features_equal_single_account_features() -> None:
    accounts = [
        person(),
        bought(),
        person("mastodon", "jo@x.social", followers=None, bio=""),
        person("bluesky", "jo.bsky.social", created=None, following=0, followers=0),
        Account("rss", "feed", "Some Blog"),
        bought(created=NOW + timedelta(days=3)),  # clock skew: age 0, not negative
    ]
    batch = feature_matrix(accounts, NOW)
    rows = np.array([feature_row(a, NOW) for a in accounts])
    assert np.array_equal(batch, rows, equal_nan=True)
    assert col(rows[5].tolist(), "age_days") == 0.0
    assert math.isnan(col(rows[3].tolist(), "follower_share"))  # 0 / 0 is unknown
    assert np.isnan(feature_matrix(accounts, None)[:, FEATURES.index("age_days")]).all()
    got = scores(accounts, NOW)
    assert np.isnan(got[4]) and not np.isnan(got[:4]).any()  # nothing known: no score


def test_an_unsayable_top_reason_gives_way_to_the_next() -> None:
    from hubbub.insight.reasons import GROUPS, explain

    model = load_model()
    accounts = [bought()]
    x = feature_matrix(accounts, NOW)
    _, contrib = model.explain(x)
    full = explain(accounts, x, contrib, np.array([False]), k=3)[0]
    # The same contributions, but the strongest group's columns made unknown (NaN).
    push = [sum(contrib[0][FEATURES.index(f)] for f in names) for names, _, _ in GROUPS]
    strongest = int(np.argmax(push))
    blind = x.copy()
    for name in GROUPS[strongest][1]:
        blind[0, FEATURES.index(name)] = np.nan
    fewer = explain(accounts, blind, contrib, np.array([False]), k=3)[0]
    assert len(full) == 3 and len(fewer) == 3  # spares filled the places of the unsayable
    assert full[0] not in fewer
    kept = [p for p in full[1:] if p in fewer]
    assert kept and fewer[: len(kept)] == kept  # the sayable ones moved up, in order


def _node_walk(model: Ensemble, row: tuple[float, ...]) -> float:
    """The reference walk: node arrays read one split at a time."""
    total = model.baseline
    for t in range(model.trees):
        i = 0
        for _ in range(model.depth):
            x, thr = row[model.feature[t, i]], model.threshold[t, i]
            i = 2 * i + (2 if x > thr or (x != x and model.nan_right[t, i]) else 1)
        total += float(model.value[t, i])
    return total


def test_compiled_trees_equal_the_node_walk_to_the_last_bit() -> None:
    model = load_model()
    rng = np.random.default_rng(5)
    x = rng.lognormal(2, 3, (500, len(FEATURES)))
    x[rng.random(x.shape) < 0.3] = np.nan
    rows = [tuple(r) for r in x.tolist()]
    for t in range(model.trees):  # a value exactly on each threshold goes left
        for i in range(model.feature.shape[1]):
            row = list(rows[t])
            row[model.feature[t, i]] = float(model.threshold[t, i])
            rows.append(tuple(row))
    assert [model.raw_one(r) for r in rows] == [_node_walk(model, r) for r in rows]
