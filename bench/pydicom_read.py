#!/usr/bin/python3
"""pydicom's side of the DicomRead benchmark: the same work (parse, geometry, pixel array) per file."""
import glob
import statistics
import sys
import time

from pydicom import dcmread

files = sorted(glob.glob(sys.argv[1] + "/*.dcm"))
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 7
times, checksum = [], 0
for run in range(runs + 1):
    start = time.perf_counter()
    for path in files:
        ds = dcmread(path)
        checksum += len(ds.ImagePositionPatient) + len(ds.SeriesInstanceUID)
        checksum += int(ds.pixel_array[-1, -1])
    if run > 0:
        times.append(time.perf_counter() - start)
print(f"{statistics.median(times):.4f} {len(files)} {checksum}")
