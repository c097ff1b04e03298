#!/usr/bin/env python3
"""PyTorch side of bench/run-train.sh: the authors'-style VAND training loop (train.py: the frozen encoder re-run on
every batch under no_grad, then Linear adapters, loss, backward, Adam(betas 0.5, 0.999)) on the tiny random-weight
model of tools/export/train_reference.py --tiny-bundle, over the same BraTS-style folder as `zsad train`.

  python3 bench/train_torch.py DATA_DIR EPOCHS BATCH THREADS

Prints: slices, feature extraction s (all slices once), authors' epoch s (encoder in the loop), cached-token epoch s
(same adapter step on tokens extracted once: what `zsad train` does). Medians over epochs."""
import os
import statistics
import sys
import time

import nibabel as nib
import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools", "export"))
from train_reference import step_loss, tiny_model  # noqa: E402
from zsad_export.bundle import CLIP_MEAN, CLIP_STD  # noqa: E402

SIZE = 96


def slices(data):
    xs, gs = [], []
    for sid in sorted(os.listdir(data)):
        v = np.asarray(nib.load(os.path.join(data, sid, f"{sid}-t2w.nii.gz")).dataobj, dtype=np.float32)
        s = np.asarray(nib.load(os.path.join(data, sid, f"{sid}-seg.nii.gz")).dataobj) > 0
        for z in range(v.shape[2]):
            img, brain = v[:, :, z], v[:, :, z] > 0
            if not brain.any():
                continue
            vals = img[brain]
            img = np.where(brain, (img - vals.mean()) / (vals.std() + 1e-6), 0)
            lo, hi = img[brain].min(), img[brain].max()
            img = np.where(brain, (img - lo) / (hi - lo if hi > lo else 1), 0)
            t = F.interpolate(torch.from_numpy(img.T.copy())[None, None], size=SIZE, mode="bicubic", align_corners=False)[0, 0]
            xs.append(torch.stack([(t - m) / sd for m, sd in zip(CLIP_MEAN, CLIP_STD)]))
            g = F.interpolate(torch.from_numpy(s[:, :, z].T.astype(np.float32).copy())[None, None], size=SIZE, mode="bilinear", align_corners=False)[0, 0]
            gs.append((g > 0.5).float())
    return torch.stack(xs), torch.stack(gs)


def main(data, epochs, batch, threads):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model, _, text = tiny_model()
    x, g = slices(data)
    n = x.shape[0]
    start = time.perf_counter()
    with torch.no_grad():
        cached = [torch.cat(t) for t in zip(*[model(x[i:i + batch])[:-1] for i in range(0, n, batch)])]
    extract = time.perf_counter() - start
    layers = [(int(round(t.shape[1] ** 0.5)), t.shape[2]) for t in cached]

    def epoch(encode):
        linears = torch.nn.ModuleList([torch.nn.Linear(d, text.shape[1]) for _, d in layers])
        opt = torch.optim.Adam(linears.parameters(), lr=1e-3, betas=(0.5, 0.999))
        order = torch.randperm(n)
        t0 = time.perf_counter()
        for i in range(0, n, batch):
            idx = order[i:i + batch]
            if encode:
                with torch.no_grad():
                    tokens = list(model(x[idx])[:-1])
            else:
                tokens = [t[idx] for t in cached]
            focal, dice = step_loss({"batch": len(idx), "size": SIZE, "temperature": 0.01}, linears, tokens, layers, g[idx], text)
            opt.zero_grad()
            (focal + dice).backward()
            opt.step()
        return time.perf_counter() - t0

    authors = statistics.median(epoch(True) for _ in range(epochs))
    cached_epoch = statistics.median(epoch(False) for _ in range(epochs))
    print(n, f"{extract:.3f}", f"{authors:.3f}", f"{cached_epoch:.3f}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
