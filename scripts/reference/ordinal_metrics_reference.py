"""Reference values for OrdinalScores (Tests/EvaluationTests/OrdinalScoresTests.swift).

Run with a Python that has scikit-learn (e.g. /work/venv-report/bin/python):
    python scripts/reference/ordinal_metrics_reference.py
Prints, per case, MAE = sklearn mean_absolute_error and QWK = cohen_kappa_score(weights='quadratic',
labels=range(K)) to 15 digits; the Swift test pastes them.
"""
import numpy as np
from sklearn.metrics import cohen_kappa_score, mean_absolute_error

cases = {
    # 6 grades, a few confusions near the diagonal and one far one.
    "six": ([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 2, 3, 0, 5],
            [0, 1, 1, 2, 2, 1, 3, 4, 4, 3, 5, 4, 2, 3, 5, 5], 6),
    # 6 grades, grade 2 absent from both: labels=range(6) keeps distances in grade steps.
    "six-missing-grade": ([0, 1, 3, 4, 5, 5, 1, 3, 4, 0],
                          [1, 1, 3, 5, 5, 4, 0, 4, 4, 0], 6),
    # 3 classes, seeded random predictions.
    "three-random": (list(np.random.default_rng(7).integers(0, 3, 40)),
                     list(np.random.default_rng(8).integers(0, 3, 40)), 3),
}
for name, (y, p, k) in cases.items():
    mae = mean_absolute_error(y, p)
    qwk = cohen_kappa_score(y, p, weights="quadratic", labels=list(range(k)))
    print(f"{name}: labels={list(map(int, y))} preds={list(map(int, p))} K={k}")
    print(f"  MAE {mae:.15f}  QWK {qwk:.15f}")
