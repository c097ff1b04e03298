#!/usr/bin/python3
"""nibabel's side of the NIfTI read benchmark: load + get_fdata (float voxels), median of RUNS warm passes."""
import statistics
import sys
import time

import nibabel

runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
times = []
for run in range(runs + 1):
    start = time.perf_counter()
    data = nibabel.load(sys.argv[1]).get_fdata(dtype="float32")
    if run > 0:
        times.append(time.perf_counter() - start)
print(f"{statistics.median(times):.4f}")
