"""Per-fold class balance of scikit-learn's StratifiedGroupKFold on the composite's labels and
subjects, for Tests/ClusterTests/StratifiedFoldTests.swift.

    /work/venv-report/bin/python scripts/reference/stratified_group_kfold_reference.py ../shared/data/composite

For K in (5, 10) and shuffle=False plus shuffle=True with random_state 0..199, prints the largest
|fold class proportion - whole-set class proportion| over folds and classes ("max deviation"). The
Swift test requires our assignment without the shuffle to give exactly sklearn's shuffle=False
per-fold class counts, and our 200 seeded shuffles' median and 90th percentile to be within 0.005 of
sklearn's (both algorithms are the same greedy rule; only the shuffles differ).
"""
import csv
import sys

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold

folder = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/composite"
with open(f"{folder}/combined_3_class2_for_optical_flow.csv", newline="") as f:
    rows = list(csv.DictReader(f))
y = np.array([int(r["label"]) for r in rows])
groups = np.array([r["sub"] for r in rows])
overall = np.bincount(y, minlength=3) / len(y)
print(f"samples {len(y)}, subjects {len(set(groups))}, class proportions {np.round(overall, 6).tolist()}")


def fold_counts(splitter):
    return [np.bincount(y[test], minlength=3).tolist() for _, test in splitter.split(np.zeros(len(y)), y, groups)]


def max_deviation(splitter):
    worst = 0.0
    for _, test in splitter.split(np.zeros(len(y)), y, groups):
        p = np.bincount(y[test], minlength=3) / len(test)
        worst = max(worst, float(np.max(np.abs(p - overall))))
    return worst


for k in (5, 10):
    plain = max_deviation(StratifiedGroupKFold(n_splits=k))
    shuffled = [max_deviation(StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=s)) for s in range(200)]
    print(f"K={k}: shuffle=False max deviation {plain:.6f}; shuffle=True seeds 0-199: "
          f"min {min(shuffled):.6f} median {float(np.median(shuffled)):.6f} "
          f"mean {float(np.mean(shuffled)):.6f} p90 {float(np.percentile(shuffled, 90)):.6f} max {max(shuffled):.6f}")
    print(f"  shuffle=False per-fold test class counts: {fold_counts(StratifiedGroupKFold(n_splits=k))}")
