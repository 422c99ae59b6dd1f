"""Train the follower-authenticity model and ship it as arrays in the package.

Seeded and reproducible: the same data and seed write the same
``src/hubbub/insight/data/authenticity.npz``. scikit-learn is needed here only
(the ``dev`` extra); at run time hubbub walks the exported trees with numpy
(:mod:`hubbub.insight.authenticity`).

What it does:
1. Reads ``../shared/data/bots/cresci2015-half`` and splits it, stratified and
   seeded, into a training part and a held-out part (``--holdout``, 30%).
2. Trains a histogram gradient-boosted tree ensemble on the training part (NaN is a
   native "missing" branch, so networks' absent fields stay missing; every training row is
   also shown as X v2, Mastodon and Bluesky would give it, see :func:`augment`) and
   reports F1 and MCC (questionable = positive class) on the held-out part, as it is and
   masked per network; the model's size is chosen by 5-fold CV on the training part.
3. Across sources, with the same settings: trained on all of Cresci and tested on
   ``kaggle-bots-nonbots``, and the reverse.
4. Exports the held-out-evaluated model's trees padded to one depth, checks the export
   reproduces scikit-learn's decision function to 1e-9 on every account, and stores a
   sample of the held-out accounts' training-time scores for the package's test.

Run: ``.venv/bin/python scripts/train_authenticity.py [--data ../shared/data/bots] [--seed 7]``
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier  # type: ignore[import-untyped]
from sklearn.metrics import f1_score, matthews_corrcoef  # type: ignore[import-untyped]
from sklearn.model_selection import StratifiedKFold, train_test_split  # type: ignore[import-untyped]

from hubbub.audit.botdata import Sample, load_cresci, load_kaggle
from hubbub.insight.authenticity import FEATURES, Ensemble, feature_row

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "hubbub" / "insight" / "data" / "authenticity.npz"
PARAMS: dict[str, Any] = {"min_samples_leaf": 8, "l2_regularization": 1.0}
#: Candidate sizes (trees, learning rate, depth), chosen by 5-fold CV on the training part
#: only; on a tie the cheaper one (trees x depth is the run-time cost) wins.
GRID: list[tuple[int, float, int]] = [(40, 0.25, 3), (40, 0.25, 4), (80, 0.15, 4), (150, 0.1, 5)]


def matrix(samples: list[Sample]) -> tuple[np.ndarray, np.ndarray]:
    x = np.array([feature_row(s.account, s.seen) for s in samples], dtype=np.float64)
    y = np.array([s.questionable for s in samples], dtype=np.int64)
    return x, y


#: The features each network's profiles lack, beside X v1.1 (the shape of the training data).
MASKS: dict[str, tuple[str, ...]] = {
    "x_v2": ("default_profile",),
    "mastodon": ("listed", "listed_per_follower", "verified", "default_profile", "has_location"),
    "bluesky": (
        "listed",
        "listed_per_follower",
        "verified",
        "default_profile",
        "has_location",
        "has_url",
    ),
}


def mask(x: np.ndarray, network: str) -> np.ndarray:
    """``x`` as that network would give it: its missing features NaN."""
    out = x.copy()
    out[:, [FEATURES.index(f) for f in MASKS[network]]] = np.nan
    return out


def augment(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows as they are and as each network would give them.

    Without this the trees never see those features missing, and a Mastodon or Bluesky
    account would take whichever branch had more training rows, not a learned one.
    """
    return np.vstack([x, *(mask(x, n) for n in MASKS)]), np.tile(y, 1 + len(MASKS))


def fit(
    x: np.ndarray, y: np.ndarray, seed: int, size: tuple[int, float, int]
) -> HistGradientBoostingClassifier:
    """A model trained on ``x`` and its network-masked copies (:func:`augment`)."""
    x, y = augment(x, y)
    trees, rate, depth = size
    model = HistGradientBoostingClassifier(
        **PARAMS,
        max_iter=trees,
        learning_rate=rate,
        max_depth=depth,
        max_leaf_nodes=2**depth,
        random_state=seed,
        early_stopping=False,
    )
    return model.fit(x, y)


def choose(x: np.ndarray, y: np.ndarray, seed: int) -> tuple[tuple[int, float, int], float]:
    """The grid's size with the best mean CV F1 on (x, y), the cheapest among ties."""
    folds = list(StratifiedKFold(5, shuffle=True, random_state=seed).split(x, y))
    best: tuple[float, int, tuple[int, float, int]] | None = None
    for size in GRID:
        f1 = np.mean([f1_score(y[b], fit(x[a], y[a], seed, size).predict(x[b])) for a, b in folds])
        key = (-round(float(f1), 3), size[0] * size[2], size)
        best = key if best is None or key < best else best
    assert best is not None
    return best[2], -best[0]


def scores(y: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    return {
        "f1": round(float(f1_score(y, pred)), 4),
        "mcc": round(float(matthews_corrcoef(y, pred)), 4),
        "accuracy": round(float((y == pred).mean()), 4),
        "n": len(y),
    }


def export(model: HistGradientBoostingClassifier) -> Ensemble:
    """The fitted trees as complete binary trees of one depth (see :class:`Ensemble`)."""
    trees = [p[0].nodes for p in model._predictors]
    depth = max(int(t["depth"].max()) for t in trees)
    inner, nodes = 2**depth - 1, 2 ** (depth + 1) - 1
    feature = np.zeros((len(trees), inner), dtype=np.intp)
    threshold = np.full((len(trees), inner), np.inf)
    nan_right = np.zeros((len(trees), inner), dtype=np.bool_)
    value = np.zeros((len(trees), nodes))
    for t, tree in enumerate(trees):
        expected = np.zeros(len(tree))
        for i in sorted(range(len(tree)), key=lambda i: -int(tree["depth"][i])):
            if tree["is_leaf"][i]:
                expected[i] = tree["value"][i]
            else:
                left, right = int(tree["left"][i]), int(tree["right"][i])
                cl, cr = float(tree["count"][left]), float(tree["count"][right])
                expected[i] = (cl * expected[left] + cr * expected[right]) / max(cl + cr, 1.0)
        stack = [(0, 0, 0)]  # (source node, padded position, level)
        while stack:
            src, pos, level = stack.pop()
            value[t, pos] = expected[src]
            if level == depth:
                continue
            if tree["is_leaf"][src]:
                stack += [(src, 2 * pos + 1, level + 1), (src, 2 * pos + 2, level + 1)]
                continue
            if tree["is_categorical"][src]:
                raise SystemExit("categorical splits are not exported")
            feature[t, pos] = int(tree["feature_idx"][src])
            threshold[t, pos] = float(tree["num_threshold"][src])
            nan_right[t, pos] = not bool(tree["missing_go_to_left"][src])
            stack += [
                (int(tree["left"][src]), 2 * pos + 1, level + 1),
                (int(tree["right"][src]), 2 * pos + 2, level + 1),
            ]
    baseline = float(np.ravel(model._baseline_prediction)[0])
    return Ensemble(FEATURES, depth, baseline, feature, threshold, nan_right, value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "bots")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--holdout", type=float, default=0.3)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)

    cresci = load_cresci(args.data / "cresci2015-half")
    kaggle = load_kaggle(args.data / "kaggle-bots-nonbots")
    xc, yc = matrix(cresci)
    xk, yk = matrix(kaggle)
    idx = np.arange(len(cresci))
    tr, te = train_test_split(idx, test_size=args.holdout, stratify=yc, random_state=args.seed)
    report: dict[str, Any] = {"features": list(FEATURES), "params": PARAMS, "seed": args.seed}

    size, cv_f1 = choose(xc[tr], yc[tr], args.seed)
    report["size"] = {"trees": size[0], "learning_rate": size[1], "max_depth": size[2]}
    report["cresci_train_cv5_f1"] = round(cv_f1, 4)
    model = fit(xc[tr], yc[tr], args.seed, size)
    report["cresci_heldout"] = scores(yc[te], model.predict(xc[te]))
    for network in MASKS:  # the same held-out accounts with what that network lacks missing
        report[f"cresci_heldout_as_{network}"] = scores(
            yc[te], model.predict(mask(xc[te], network))
        )
    report["cresci_to_kaggle"] = scores(yk, fit(xc, yc, args.seed, size).predict(xk))
    report["kaggle_to_cresci"] = scores(yc, fit(xk, yk, args.seed, size).predict(xc))

    ensemble = export(model)
    exact = model.decision_function(np.vstack([xc, xk]))
    drift = float(np.abs(ensemble.raw(np.vstack([xc, xk])) - exact).max())
    if drift > 1e-9:
        raise SystemExit(f"export differs from scikit-learn by {drift}")
    report["export_max_abs_diff"] = drift
    report["trees"], report["depth"] = ensemble.trees, ensemble.depth

    rng = np.random.default_rng(args.seed)
    check = np.sort(rng.choice(te, size=min(60, len(te)), replace=False))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.out,
        features=np.array(FEATURES),
        depth=np.array(ensemble.depth),
        baseline=np.array(ensemble.baseline),
        feature=ensemble.feature.astype(np.int16),
        threshold=ensemble.threshold,
        nan_right=ensemble.nan_right,
        value=ensemble.value,
        check_ids=np.array([cresci[i].account.id for i in check]),
        check_raw=model.decision_function(xc[check]),
        report=np.array(json.dumps(report)),
    )
    report["model_bytes"] = args.out.stat().st_size
    json.dump(report, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
