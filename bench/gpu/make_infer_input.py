#!/usr/bin/env python3
"""The GPU run's input for `zsad infer`: Colin27 (ch2bet, Debian mricron-data) placed on BraTS's 240x240x155 1 mm
grid as a t2w-like test volume with one bright 12 mm sphere, plus two lesion-free references (the same brain, and
its left-right mirror with a 10 % intensity change) for `zsad models build-memory`. Speed input only: one anatomy,
no detection meaning.

  make_infer_input.py OUT_DIR      writes OUT_DIR/volume.nii.gz and OUT_DIR/normals/{a,b}.nii.gz"""
import os
import sys

import nibabel as nib
import numpy as np

out = sys.argv[1]
src = nib.load("/usr/share/mricron/templates/ch2bet.nii.gz")
data = np.asarray(src.dataobj, dtype=np.float32)
grid = np.zeros((240, 240, 155), np.float32)
# Centre the brain on the grid; crop z (181 -> 155) around the middle of the brain.
nz = np.nonzero(data.any(axis=(0, 1)))[0]
z0 = max(0, (nz[0] + nz[-1]) // 2 - 155 // 2)
crop = data[:, :, z0:z0 + 155]
x0, y0 = (240 - crop.shape[0]) // 2, (240 - crop.shape[1]) // 2
grid[x0:x0 + crop.shape[0], y0:y0 + crop.shape[1], :crop.shape[2]] = crop
affine = np.diag([-1.0, -1.0, 1.0, 1.0])
affine[:3, 3] = [119.5, 119.5, -77.0]


def save(volume, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    img = nib.Nifti1Image(volume.astype(np.float32), affine)
    img.set_qform(affine, 1)
    img.set_sform(affine, 1)
    nib.save(img, path)


save(grid, os.path.join(out, "normals", "a.nii.gz"))
save(grid[::-1, :, :] * 1.1, os.path.join(out, "normals", "b.nii.gz"))
lesion = grid.copy()
x, y, z = np.ogrid[:240, :240, :155]
brain = np.argwhere(grid > 0)
cx, cy, cz = brain[len(brain) // 3]
ball = (x - cx) ** 2 + (y - cy) ** 2 + (z - cz) ** 2 <= 6 ** 2
lesion[ball & (grid > 0)] = grid.max() * 1.2
save(lesion, os.path.join(out, "volume.nii.gz"))
