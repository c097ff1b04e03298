"""Writes NIfTI files with nibabel that Zsad's reader must read exactly as nibabel does.

usage: nib_make.py OUTDIR
Writes OUTDIR/<name>.nii[.gz] and prints the names, one a line.
"""
import os
import sys

import nibabel as nib
import numpy as np

out = sys.argv[1]
shape = (7, 5, 4)
n = int(np.prod(shape))
rng = np.random.default_rng(7)

# An oblique, non-isotropic affine with a reflection, as real scans have.
theta = np.deg2rad(17.0)
rot = np.array([[np.cos(theta), -np.sin(theta), 0], [np.sin(theta), np.cos(theta), 0], [0, 0, 1]])
tilt = np.deg2rad(-9.0)
rot = rot @ np.array([[1, 0, 0], [0, np.cos(tilt), -np.sin(tilt)], [0, np.sin(tilt), np.cos(tilt)]])
oblique = np.eye(4)
oblique[:3, :3] = rot @ np.diag([0.9, 1.1, 2.5])
oblique[:3, 3] = [-91.5, 120.25, -60.0]
flipped = oblique @ np.diag([-1, 1, 1, 1])

ranges = {
    "uint8": (0, 255), "int8": (-128, 127), "int16": (-32768, 32767), "uint16": (0, 65535),
    "int32": (-2**31, 2**31 - 1), "uint32": (0, 2**32 - 1), "int64": (-2**62, 2**62), "uint64": (0, 2**63),
}


def data_of(dtype):
    if dtype in ranges:
        lo, hi = ranges[dtype]
        d = rng.integers(lo, hi, size=n, dtype=np.dtype(dtype), endpoint=True)
        d[0], d[1] = lo, hi  # the extremes must survive
        return d.reshape(shape, order="F")
    d = (rng.standard_normal(n) * 1000).astype(dtype)
    d[0] = np.finfo(dtype).max
    d[1] = np.finfo(dtype).tiny
    return d.reshape(shape, order="F")


def save(img, name):
    nib.save(img, os.path.join(out, name))
    print(name)


for dt in ["uint8", "int8", "int16", "uint16", "int32", "uint32", "int64", "uint64", "float32", "float64"]:
    img = nib.Nifti1Image(data_of(dt), oblique, dtype=dt)
    save(img, f"dtype_{dt}.nii")

# Scaling: float data stored as int16; nibabel picks scl_slope and scl_inter itself (it resets header scaling on save).
real = data_of("int16").astype(np.float64) * 0.25 - 10.0
img = nib.Nifti1Image(real, oblique, dtype="int16")
save(img, "scaled_int16.nii")

# qform only (sform_code 0), with a reflection (qfac -1).
img = nib.Nifti1Image(data_of("float32"), None)
img.set_qform(flipped, code=1)
img.set_sform(None, code=0)
save(img, "qform_only.nii")

# Both set and different: sform wins when sform_code > 0.
img = nib.Nifti1Image(data_of("int16"), None, dtype="int16")
img.set_qform(oblique, code=1)
shifted = oblique.copy()
shifted[:3, 3] += [5, -7, 11]
img.set_sform(shifted, code=2)
save(img, "sform_preferred.nii")

# Big-endian header and data (scaled, so the scaling fields are byte-swapped too).
hdr = nib.Nifti1Header(endianness=">")
img = nib.Nifti1Image(real * 3.0 + 1.0, oblique, header=hdr, dtype=">i2")
save(img, "bigendian_int16.nii")
hdr = nib.Nifti1Header(endianness=">")
img = nib.Nifti1Image(data_of("float64"), flipped, header=hdr, dtype=">f8")
save(img, "bigendian_float64.nii")

# gzip, NIfTI-2, NIfTI-2 gzip and big-endian.
save(nib.Nifti1Image(data_of("float32"), oblique), "gzip_float32.nii.gz")
save(nib.Nifti2Image(data_of("int64"), oblique, dtype="int64"), "nifti2_int64.nii")
save(nib.Nifti2Image(data_of("uint16"), flipped, dtype="uint16"), "nifti2_uint16.nii.gz")
hdr = nib.Nifti2Header(endianness=">")
save(nib.Nifti2Image(data_of("float32"), oblique, header=hdr, dtype=">f4"), "nifti2_bigendian_float32.nii")

# An extension between header and data: vox_offset moves.
img = nib.Nifti1Image(data_of("uint8"), oblique, dtype="uint8")
img.header.extensions.append(nib.nifti1.Nifti1Extension("comment", b"written by nib_make.py for Zsad tests"))
save(img, "extension_uint8.nii")
