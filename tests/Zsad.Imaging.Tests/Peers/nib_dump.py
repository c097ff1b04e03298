"""Loads NIfTI files with nibabel and dumps what it sees, for comparison with Zsad's reader.

usage: nib_dump.py OUTDIR FILE...
For FILE i writes OUTDIR/<i>.json (shape, on-disk dtype, affine, sform, qform, codes, scaling, endianness),
OUTDIR/<i>.raw (unscaled voxels, little endian, Fortran order) and OUTDIR/<i>.f64 (get_fdata, float64).
"""
import json
import os
import sys

import nibabel as nib
import numpy as np

out = sys.argv[1]
for i, path in enumerate(sys.argv[2:]):
    img = nib.load(path)
    hdr = img.header
    raw = np.asanyarray(img.dataobj.get_unscaled())
    # a loaded image's header has its scaling reset; the array proxy keeps it
    slope, inter = float(img.dataobj.slope), float(img.dataobj.inter)
    info = {
        "path": path,
        "shape": [int(s) for s in img.shape],
        "dtype": raw.dtype.newbyteorder("=").name if raw.dtype.byteorder != "|" else raw.dtype.name,
        "affine": img.affine.ravel().tolist(),
        "sform": hdr.get_sform().ravel().tolist(),
        "qform": hdr.get_qform().ravel().tolist(),
        "sform_code": int(hdr["sform_code"]),
        "qform_code": int(hdr["qform_code"]),
        "slope": slope,
        "inter": inter,
        "endianness": hdr.endianness,
        "version": 2 if isinstance(img, nib.Nifti2Image) else 1,
    }
    le = raw.astype(raw.dtype.newbyteorder("<"))
    with open(os.path.join(out, f"{i}.raw"), "wb") as f:
        f.write(le.tobytes(order="F"))
    with open(os.path.join(out, f"{i}.f64"), "wb") as f:
        f.write(img.get_fdata(dtype=np.float64).astype("<f8").tobytes(order="F"))
    with open(os.path.join(out, f"{i}.json"), "w") as f:
        json.dump(info, f)
