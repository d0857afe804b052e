"""Reference values for Evaluation/WelchTTest (Tests/EvaluationTests/SignificanceTestsTests.swift).

scipy.stats.ttest_ind(b, a, equal_var=False): the Swift side reports t for B - A.
Run: python3 scripts/reference/welch_reference.py (needs scipy).
"""
import numpy as np
from scipy import stats

cases = [
    ([0.630, 0.637, 0.633], [0.686, 0.629, 0.655, 0.671, 0.660]),
    ([0.772, 0.751, 0.760], [0.710, 0.705, 0.741]),
    ([1.0, 2.0], [3.0, 5.0, 4.0, 10.0]),
    ([0.5, 0.5, 0.5], [0.4, 0.7, 0.6]),   # zero spread on one side only
]
for a, b in cases:
    r = stats.ttest_ind(b, a, equal_var=False)
    va, vb = np.var(a, ddof=1) / len(a), np.var(b, ddof=1) / len(b)
    df = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
    print(f"({a}, {b}, t: {float(r.statistic)!r}, p: {float(r.pvalue)!r}, df: {float(df)!r}),")
