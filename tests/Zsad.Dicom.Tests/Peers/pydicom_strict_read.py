#!/usr/bin/python3
"""Reads a file with pydicom in RAISE validation mode, touches every element, and prints
'<number of elements> <sha256 of the pixel array as little-endian bytes>'."""
import hashlib
import sys

import numpy
from pydicom import config, dcmread

config.settings.reading_validation_mode = config.RAISE

ds = dcmread(sys.argv[1])
count = 0
for elem in ds.iterall():
    _ = elem.value
    count += 1
pixels = "none"
if "PixelData" in ds:
    arr = ds.pixel_array
    pixels = hashlib.sha256(arr.astype(arr.dtype.newbyteorder("<")).tobytes()).hexdigest()
print(count, pixels)
