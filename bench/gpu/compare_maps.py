#!/usr/bin/env python3
"""Max and mean absolute difference of two float32 NIfTI-1 .nii.gz maps on the same grid, with numpy alone (the GPU
machine has no nibabel).   compare_maps.py A.nii.gz B.nii.gz"""
import gzip
import struct
import sys

import numpy as np


def load(path):
    raw = gzip.open(path).read()
    dims = struct.unpack_from("<8h", raw, 40)
    datatype = struct.unpack_from("<h", raw, 70)[0]
    offset = int(struct.unpack_from("<f", raw, 108)[0])
    if datatype != 16:
        raise SystemExit(f"{path}: datatype {datatype}, expected 16 (float32)")
    count = int(np.prod(dims[1:dims[0] + 1]))
    return np.frombuffer(raw, "<f4", count, offset), dims


a, da = load(sys.argv[1])
b, db = load(sys.argv[2])
if da != db:
    raise SystemExit(f"grids differ: {da} vs {db}")
d = np.abs(a.astype(np.float64) - b)
print(f"max |diff| {d.max():.3g}, mean |diff| {d.mean():.3g}, voxels >= 0.5: {(a >= 0.5).sum()} vs {(b >= 0.5).sum()}")
