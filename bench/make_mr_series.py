#!/usr/bin/python3
"""Writes an MR series with pydicom (a neutral writer for both readers): N slices, SIZE x SIZE (256), 16-bit."""
import os
import sys

import numpy
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

out, count = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 155
size = int(sys.argv[3]) if len(sys.argv) > 3 else 256
os.makedirs(out, exist_ok=True)
study, series, frame = generate_uid(), generate_uid(), generate_uid()
rng = numpy.random.default_rng(1)
for i in range(count):
    ds = Dataset()
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.4"
    ds.SOPInstanceUID = generate_uid()
    ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID = study, series, frame
    ds.Modality = "MR"
    ds.PatientName, ds.PatientID = "Bench^Series", "BENCH1"
    ds.ImageType = ["ORIGINAL", "PRIMARY", "M"]
    ds.InstanceNumber = i + 1
    ds.ImagePositionPatient = [-120.0, -120.0, float(i)]
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.PixelSpacing = [0.9375, 0.9375]
    ds.SliceThickness = 1.0
    ds.Rows = ds.Columns = size
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    ds.PixelData = rng.integers(0, 4096, (size, size), dtype=numpy.uint16).tobytes()
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID = ds.SOPClassUID, ds.SOPInstanceUID
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta = meta
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds.save_as(os.path.join(out, f"slice{i:04d}.dcm"), write_like_original=False)
