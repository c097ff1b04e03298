#!/usr/bin/env python3
"""BraTS-style folder for bench/run-train.sh: N subjects from ch2bet (mricron-data) block-averaged by 3, each with
its own intensity gamma and one bright ellipsoid lesion (1.25 x the 99.5th brain percentile) with its mask.
Both sides of the benchmark read the same files; the numbers time training, they say nothing about detection.

  python3 bench/make_train_data.py OUT_DIR [N]"""
import os
import sys

import nibabel as nib
import numpy as np


def main(out, n):
    img = nib.load("/usr/share/mricron/templates/ch2bet.nii.gz")
    v = np.asarray(img.dataobj, dtype=np.float32)
    f = 3
    sx, sy, sz = (s // f for s in v.shape)
    v = v[:sx * f, :sy * f, :sz * f].reshape(sx, f, sy, f, sz, f).mean(axis=(1, 3, 5))
    affine = img.affine.copy()
    affine[:3, :3] *= f
    rng = np.random.default_rng(7)
    brain = v > 0
    for i in range(n):
        sid = f"BENCH-{i:03d}"
        x = np.where(brain, (v / v.max()) ** (0.9 + 0.05 * (i % 5)) * 1000, 0).astype(np.float32)
        centre = np.argwhere(brain)[rng.integers(brain.sum())]
        radius = rng.uniform(5, 7, size=3)
        grid = np.indices(x.shape).transpose(1, 2, 3, 0)
        mask = (((grid - centre) / radius) ** 2).sum(-1) <= 1
        mask &= brain
        x[mask] = np.percentile(x[brain], 99.5) * 1.25
        os.makedirs(os.path.join(out, sid), exist_ok=True)
        nib.save(nib.Nifti1Image(x, affine), os.path.join(out, sid, f"{sid}-t2w.nii.gz"))
        nib.save(nib.Nifti1Image(mask.astype(np.uint8), affine), os.path.join(out, sid, f"{sid}-seg.nii.gz"))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 8)
