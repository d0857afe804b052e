"""LOSO scores with the reports' conventions, shared by the study scripts: UF1 = macro F1 over the
classes present in labels or predictions, UAR = mean recall over the classes present in the labels;
the prediction is the arg-max of the logits (the first on a tie)."""


def scores(pairs):
    labels = sorted({y for y, _ in pairs} | {p for _, p in pairs})
    f1s, recalls = [], []
    for c in labels:
        tp = sum(1 for y, p in pairs if y == c and p == c)
        fp = sum(1 for y, p in pairs if y != c and p == c)
        fn = sum(1 for y, p in pairs if y == c and p != c)
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0)
        if any(y == c for y, _ in pairs):
            recalls.append(tp / (tp + fn))
    return sum(f1s) / len(f1s), sum(recalls) / len(recalls)


def argmax(v):
    return max(range(len(v)), key=lambda i: (v[i], -i))
