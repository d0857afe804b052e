"""Issue 22's study table from one or more run journals: per variant and seed, the composite and
per-dataset UF1 / UAR at the final epoch and at the best test epoch (optimistic), then Welch t-tests
(scipy.stats.ttest_ind, equal_var=False, two-sided) between variants on their per-seed values.

A study may be spread over runs: JOURNAL[:OLD=NEW,...] renames variants while reading, e.g. the
order study's `csv` variant is the init study's `torch-seed` (the same tasks bit for bit: torch seed
shared by all folds, CSV order, no other randomness). Only seeds whose every fold is journalled
(`--folds N`) enter the tables and the tests; partial seeds are listed with their fold counts.
Conventions as the reports' (UF1 = macro F1 over classes in labels or predictions; UAR = mean recall
over classes in the labels; composite = all folds of a seed pooled). The run reports are the
authority for each run; this joins runs.

    python3 scripts/study/init_study_table.py --folds 40 \\
        runs/init-study-d64/journal.jsonl runs/init-study-d64-s23/journal.jsonl \\
        runs/order-d64/journal.jsonl:csv=torch-seed,class-grouped=
"""
import argparse, itertools, json
from collections import defaultdict

from scipy import stats

from loso_scores import argmax, scores

parser = argparse.ArgumentParser()
parser.add_argument("--folds", type=int, required=True, help="folds of a complete seed")
parser.add_argument("journals", nargs="+")
args = parser.parse_args()

tasks = {}
for spec in args.journals:
    path, _, renames = spec.partition(":")
    rename = dict(r.split("=") for r in renames.split(",")) if renames else {}
    for line in open(path):
        d = json.loads(line)
        if d.get("type") != "task":
            continue
        variant = rename.get(d["variant"], d["variant"])
        if not variant:
            continue   # renamed to nothing: not part of the study
        key = (variant, d["seed"], d["fold"])
        samples = [(s["dataset"], s["label"], argmax(s["finalLogits"]), argmax(s["bestTestLogits"])) for s in d["samples"]]
        if key in tasks and tasks[key] != samples:
            raise SystemExit(f"{key} appears twice with different predictions ({path})")
        tasks[key] = samples

variants = sorted({v for v, _, _ in tasks})
complete = {}
for v in variants:
    for seed in sorted({s for w, s, _ in tasks if w == v}):
        folds = [f for w, s, f in tasks if w == v and s == seed]
        if len(folds) == args.folds:
            complete.setdefault(v, []).append(seed)
        else:
            print(f"partial, left out: {v} seed {seed}: {len(folds)} of {args.folds} folds")

rows = defaultdict(dict)   # (variant, rule) -> quantity -> [per-seed values]
for v in variants:
    for seed in complete.get(v, []):
        for rule, index in (("final", 2), ("best-test", 3)):
            by = defaultdict(list)
            for (w, s, f), samples in tasks.items():
                if w == v and s == seed:
                    for ds, y, *p in samples:
                        by[ds].append((y, p[index - 2]))
                        by["composite"].append((y, p[index - 2]))
            for ds, pairs in by.items():
                uf1, uar = scores(pairs)
                rows[(v, rule)].setdefault(f"{ds} UF1", []).append(uf1)
                rows[(v, rule)].setdefault(f"{ds} UAR", []).append(uar)

quantities = ["composite UF1", "composite UAR"] + sorted({q for r in rows.values() for q in r} - {"composite UF1", "composite UAR"},
                                                         key=lambda q: (q.split()[0], q.split()[1] != "UF1"))
for rule in ("final", "best-test"):
    print(f"\n#### {rule} epoch{' (optimistic: reads the test labels)' if rule == 'best-test' else ''}\n")
    print("| variant | seeds | " + " | ".join(quantities) + " |")
    print("| --- | --- |" + " --- |" * len(quantities))
    for v in variants:
        r = rows.get((v, rule))
        if not r:
            continue
        cells = []
        for q in quantities:
            vals = r.get(q, [])
            cells.append(" / ".join(f"{x:.3f}" for x in vals) + (f" (mean {sum(vals) / len(vals):.3f})" if len(vals) > 1 else ""))
        print(f"| {v} | {','.join(map(str, complete[v]))} | " + " | ".join(cells) + " |")
    print(f"\nWelch t-tests ({rule} epoch), B - A on per-seed values; p two-sided, not adjusted:\n")
    print("| A | B | quantity | mean A | mean B | t | df | p |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for a, b in itertools.combinations(variants, 2):
        ra, rb = rows.get((a, rule), {}), rows.get((b, rule), {})
        for q in quantities:
            xa, xb = ra.get(q, []), rb.get(q, [])
            if len(xa) < 2 or len(xb) < 2:
                continue
            t = stats.ttest_ind(xb, xa, equal_var=False)
            va, vb = stats.tvar(xa) / len(xa), stats.tvar(xb) / len(xb)
            df = (va + vb) ** 2 / (va ** 2 / (len(xa) - 1) + vb ** 2 / (len(xb) - 1)) if va + vb > 0 else float("nan")
            print(f"| {a} | {b} | {q} | {sum(xa) / len(xa):.3f} | {sum(xb) / len(xb):.3f} | {t.statistic:.3f} | {df:.2f} | {t.pvalue:.4f} |")
