#!/usr/bin/python3
"""Reads a Segmentation with pydicom in RAISE validation mode and unpacks its frames on its own
(numpy.unpackbits, bitorder='little'), cross-checked against pydicom's pixel_array.
Prints JSON: type, rows, columns, frames [{segment, sop, frame, nonzero: [[flat index, value]...]}], referenced."""
import json
import sys

import numpy
from pydicom import config, dcmread

config.settings.reading_validation_mode = config.RAISE

ds = dcmread(sys.argv[1])
for elem in ds.iterall():
    _ = elem.value
assert ds.SOPClassUID == "1.2.840.10008.5.1.4.1.1.66.4", ds.SOPClassUID
rows, cols, count = int(ds.Rows), int(ds.Columns), int(ds.NumberOfFrames)
n = rows * cols
raw = numpy.frombuffer(ds.PixelData, dtype=numpy.uint8)
assert len(raw) % 2 == 0, "PixelData has odd length"
if ds.SegmentationType == "BINARY":
    expected_len = (count * n + 7) // 8
    assert len(raw) in (expected_len, expected_len + 1), f"PixelData {len(raw)} bytes, expected {expected_len} (+1 pad)"
    frames = numpy.unpackbits(raw, bitorder="little")[: count * n].reshape(count, rows, cols)
else:
    frames = raw[: count * n].reshape(count, rows, cols)
arr = ds.pixel_array.reshape(count, rows, cols)
assert numpy.array_equal(arr, frames), "pydicom pixel_array differs from numpy unpacking"

out = []
for i, fg in enumerate(ds.PerFrameFunctionalGroupsSequence):
    src = fg.DerivationImageSequence[0].SourceImageSequence[0]
    flat = frames[i].reshape(-1)
    nz = numpy.nonzero(flat)[0]
    out.append({
        "segment": int(fg.SegmentIdentificationSequence[0].ReferencedSegmentNumber),
        "sop": src.ReferencedSOPInstanceUID,
        "frame": int(src.ReferencedFrameNumber) if "ReferencedFrameNumber" in src else None,
        "nonzero": [[int(j), int(flat[j])] for j in nz],
    })
referenced = [i.ReferencedSOPInstanceUID for s in ds.ReferencedSeriesSequence for i in s.ReferencedInstanceSequence]
print(json.dumps({"type": ds.SegmentationType, "rows": rows, "columns": cols, "frames": out, "referenced": referenced,
                  "max": int(ds.get("MaximumFractionalValue", 1))}))
