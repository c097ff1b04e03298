#!/usr/bin/python3
"""Reference implementation of the seed paper's metrics with sklearn, scipy and numpy.
Input JSON: {"shape": [W, H, D], "threshold": t, "bins": b, "volumes": [{"scores": [...], "truth": [0/1...]}]}
(flat, x fastest). Prints JSON with the same quantities Zsad computes; undefined values are null."""
import json
import sys
import warnings

import numpy
from scipy import ndimage, stats
from sklearn.metrics import precision_recall_curve, roc_auc_score

warnings.simplefilter("ignore")


def num(x):
    x = float(x)
    return None if numpy.isnan(x) else x


def ratio(a, b):
    return None if b == 0 else a / b


def dice(pred, truth):
    denominator = pred.sum() + truth.sum()
    return 1.0 if denominator == 0 else 2.0 * numpy.logical_and(pred, truth).sum() / denominator


spec = json.load(open(sys.argv[1]))
w, h, d = spec["shape"]
threshold = numpy.float32(spec["threshold"])
bins = spec["bins"]
all_scores, all_truth, subjects, lesion_slices = [], [], [], []
for v in spec["volumes"]:
    s = numpy.asarray(v["scores"], dtype=numpy.float32)
    t = numpy.asarray(v["truth"], dtype=bool)
    all_scores.append(s)
    all_truth.append(t)
    p = s >= threshold
    tp = int(numpy.logical_and(p, t).sum()); fp = int(numpy.logical_and(p, ~t).sum())
    fn = int(numpy.logical_and(~p, t).sum()); tn = int(numpy.logical_and(~p, ~t).sum())
    p3, t3 = p.reshape(d, h, w), t.reshape(d, h, w)
    structure = numpy.ones((3, 3, 3), dtype=bool)
    tl, nt = ndimage.label(t3, structure=structure)
    pl, npred = ndimage.label(p3, structure=structure)
    detected = len(set(numpy.unique(tl[p3])) - {0})
    touching = len(set(numpy.unique(pl[t3])) - {0})
    slices = [dice(p3[z], t3[z]) for z in range(d)]
    centre, half = (d - 1) / 2.0, (d - 1) / 2.0
    for z in range(d):
        if t3[z].any():
            lesion_slices.append(((z - centre) / half if half else 0.0, slices[z]))
    subjects.append({
        "dice": dice(p, t), "sensitivity": ratio(tp, tp + fn), "specificity": ratio(tn, tn + fp), "ppv": ratio(tp, tp + fp),
        "lesions": nt, "detected": detected, "false_positives": npred - touching, "slice_dice": slices, "size": int(t.sum()),
    })

y = numpy.concatenate(all_truth)
scores = numpy.concatenate(all_scores)
try:
    auroc = float(roc_auc_score(y, scores))
except ValueError:
    auroc = None
precision, recall, thresholds = precision_recall_curve(y, scores)
f1 = numpy.nan_to_num(2 * precision * recall / (precision + recall))
best = int(numpy.argmax(f1))
f1max = float(f1[best])
f1_threshold = float(thresholds[best]) if best < len(thresholds) else None


def mean_std(key):
    values = numpy.array([s[key] for s in subjects if s[key] is not None], dtype=float)
    return [num(values.mean()), num(values.std()), int(len(values))] if len(values) else [None, None, 0]


profile = []
for b in range(bins):
    lo = -1 + 2.0 * b / bins
    hi = -1 + 2.0 * (b + 1) / bins
    members = [dv for dist, dv in lesion_slices if lo <= dist < hi or (b == bins - 1 and dist == 1.0)]
    profile.append([num(numpy.mean(members)) if members else None, len(members)])
rho = stats.spearmanr([s["size"] for s in subjects], [s["dice"] for s in subjects]).correlation if len(subjects) > 1 else float("nan")
lesions = sum(s["lesions"] for s in subjects)
print(json.dumps({
    "subjects": subjects, "auroc": auroc, "f1max": f1max, "f1_threshold": f1_threshold,
    "dice": mean_std("dice"), "sensitivity": mean_std("sensitivity"), "specificity": mean_std("specificity"), "ppv": mean_std("ppv"),
    "profile": profile, "spearman": num(rho),
    "lesion_sensitivity": ratio(sum(s["detected"] for s in subjects), lesions),
    "false_positives_per_scan": float(numpy.mean([s["false_positives"] for s in subjects])),
}))
