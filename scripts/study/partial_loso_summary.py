"""Per-dataset UF1/UAR of the variants of a (possibly unfinished) run journal, restricted to the
folds that every variant has finished for a seed, so partial runs compare like with like.
Conventions as the reports': UF1 = macro F1 over the classes present in labels or predictions,
UAR = mean recall over the classes present in the labels; composite = all those folds pooled.
The finished report (coordinator report OUT) is the authority; this is for runs still going.

    python3 scripts/study/partial_loso_summary.py runs/init-study-d64/journal.jsonl
"""
import json, sys
from collections import defaultdict

from loso_scores import argmax, scores

tasks = {}
for line in open(sys.argv[1]):
    d = json.loads(line)
    if d.get("type") == "task":
        tasks[(d["variant"], d["seed"], d["fold"])] = d
variants = sorted({v for v, _, _ in tasks})
seeds = sorted({s for _, s, _ in tasks})
for seed in seeds:
    common = set.intersection(*[{f for (v, s, f) in tasks if v == var and s == seed} for var in variants])
    print(f"seed {seed}: {len(common)} folds finished by every variant ({', '.join(variants)})")
    for rule, key in (("final epoch", "finalLogits"), ("best-test-epoch (optimistic)", "bestTestLogits")):
        print(f"  {rule}:")
        for var in variants:
            by = defaultdict(list)
            for f in sorted(common):
                for smp in tasks[(var, seed, f)]["samples"]:
                    pair = (smp["label"], argmax(smp[key]))
                    by[smp["dataset"]].append(pair)
                    by["composite"].append(pair)
            cells = []
            for ds in ["composite"] + sorted(k for k in by if k != "composite"):
                uf1, uar = scores(by[ds])
                cells.append(f"{ds} UF1 {uf1:.3f} UAR {uar:.3f} (n {len(by[ds])})")
            print(f"    {var:14s} " + "; ".join(cells))
