#!/usr/bin/python3
"""Writes files with pydicom itself (so that readers are tested on another writer's output):
each transfer syntax pydicom writes natively, sequences, character sets and signed pixels."""
import os
import sys

import numpy
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import (ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian,
                         DeflatedExplicitVRLittleEndian, generate_uid)

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def base(charset, name):
    ds = Dataset()
    ds.SpecificCharacterSet = charset
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.4"
    ds.SOPInstanceUID = generate_uid()
    ds.StudyInstanceUID = generate_uid()
    ds.SeriesInstanceUID = generate_uid()
    ds.Modality = "MR"
    ds.PatientName = name
    ds.PatientID = "PYD-1"
    ds.ImageType = ["ORIGINAL", "PRIMARY", "OTHER"]
    ds.PixelSpacing = [0.5, 0.75]
    ds.ImagePositionPatient = [-10.5, 20, 3.25]
    ds.InstanceNumber = 7
    ds.AcquisitionDateTime = "20261128101530.5"
    ds.FrameIncrementPointer = 0x00181063
    ds.Rows, ds.Columns = 16, 12
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 16, 15
    ds.PixelRepresentation = 1
    ds.SmallestImagePixelValue = -300
    ds.LargestImagePixelValue = 1200
    item = Dataset()
    item.CodeValue = "12738006"
    item.CodingSchemeDesignator = "SCT"
    item.CodeMeaning = "Brain"
    inner = Dataset()
    inner.ReferencedSOPClassUID = "1.2.840.10008.5.1.4.1.1.4"
    inner.ReferencedSOPInstanceUID = generate_uid()
    item.ReferencedImageSequence = Sequence([inner])
    ds.AnatomicRegionSequence = Sequence([item])
    ds.RealWorldValueMappingSequence = Sequence([])
    ds.add_new(0x00291010, "LO", "PYDICOM PRIVATE")
    ds.add_new(0x00291011, "OB", b"\x01\x02\x03\x04")
    arr = (numpy.arange(16 * 12, dtype=numpy.int16) * 7 - 300).reshape(16, 12)
    ds.PixelData = arr.tobytes()
    return ds


cases = [
    ("implicit_latin1.dcm", ImplicitVRLittleEndian, "ISO_IR 100", "Müller^Jörg"),
    ("explicit_utf8.dcm", ExplicitVRLittleEndian, "ISO_IR 192", "Ünal^Zoë=山田^太郎"),
    ("deflated_ascii.dcm", DeflatedExplicitVRLittleEndian, "", "Doe^John"),
    ("big_latin1.dcm", ExplicitVRBigEndian, "ISO_IR 100", "Ørsted^Hans"),
]
for name, ts, charset, person in cases:
    ds = base(charset, person)
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = ds.SOPClassUID
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = ts
    ds.file_meta = meta
    ds.is_little_endian = ts != ExplicitVRBigEndian
    ds.is_implicit_VR = ts == ImplicitVRLittleEndian
    if ts == ExplicitVRBigEndian:
        ds.PixelData = numpy.frombuffer(ds.PixelData, dtype="<i2").astype(">i2").tobytes()
    ds.save_as(os.path.join(out, name), write_like_original=False)
print(len(cases))
