// Reads a DICOM SEG the way OHIF does (cornerstone3D's SEG adapter, the code behind OHIF's SEG display sets)
// against its source images, and prints the labelmap it builds as JSON on stdout:
//   { "segments": [{ "number", "label" }], "slices": { "<source SOPInstanceUID>": [[pixelIndex, segmentNumber], ...] } }
// Pixel indices are row-major within the source image. Slices with nothing on them are listed with [].
//
//   node seg-labelmap.mjs <seg.dcm> <source.dcm>...
import fs from 'node:fs';
import * as core from '@cornerstonejs/core';
import { adaptersSEG } from '@cornerstonejs/adapters';
import dcmjs from 'dcmjs';

const [segPath, ...sourcePaths] = process.argv.slice(2);
if (!segPath || sourcePaths.length === 0) {
  console.error('usage: node seg-labelmap.mjs <seg.dcm> <source.dcm>...');
  process.exit(2);
}

const { DicomMessage, DicomMetaDictionary } = dcmjs.data;
const toArrayBuffer = (buf) => buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
const read = (file) => DicomMetaDictionary.naturalizeDataset(DicomMessage.readFile(toArrayBuffer(fs.readFileSync(file))).dict);
const numbers = (v) => (Array.isArray(v) ? v : [v]).map(Number);

// In OHIF these modules come from the DICOMweb metadata of the source series; here from the same files.
const modules = new Map();
const imageIds = sourcePaths.map((file) => {
  const ds = read(file);
  const imageId = `zsad:${ds.SOPInstanceUID}`;
  const iop = numbers(ds.ImageOrientationPatient);
  const [rowSpacing, columnSpacing] = numbers(ds.PixelSpacing);
  modules.set(imageId, {
    instance: ds,
    generalImageModule: { sopInstanceUID: ds.SOPInstanceUID, instanceNumber: Number(ds.InstanceNumber) },
    generalSeriesModule: { seriesInstanceUID: ds.SeriesInstanceUID, studyInstanceUID: ds.StudyInstanceUID, modality: ds.Modality },
    imagePlaneModule: {
      frameOfReferenceUID: ds.FrameOfReferenceUID,
      rows: ds.Rows,
      columns: ds.Columns,
      imageOrientationPatient: iop,
      rowCosines: iop.slice(0, 3),
      columnCosines: iop.slice(3, 6),
      imagePositionPatient: numbers(ds.ImagePositionPatient),
      pixelSpacing: [rowSpacing, columnSpacing],
      rowPixelSpacing: rowSpacing,
      columnPixelSpacing: columnSpacing,
      sliceThickness: Number(ds.SliceThickness ?? 1),
    },
    imagePixelModule: {
      samplesPerPixel: ds.SamplesPerPixel, photometricInterpretation: ds.PhotometricInterpretation, rows: ds.Rows, columns: ds.Columns,
      bitsAllocated: ds.BitsAllocated, bitsStored: ds.BitsStored, highBit: ds.HighBit, pixelRepresentation: ds.PixelRepresentation,
    },
  });
  return imageId;
});
const metadataProvider = { get: (type, imageId) => modules.get(imageId)?.[type] };
core.metaData.addProvider(metadataProvider.get, 10000);

const segBuffer = toArrayBuffer(fs.readFileSync(segPath));
const result = await adaptersSEG.Cornerstone3D.Segmentation.createFromDICOMSegBuffer(imageIds, segBuffer, { metadataProvider });

const slices = {};
for (const imageId of imageIds) slices[imageId.slice('zsad:'.length)] = [];
for (const group of result.labelMapImages) {
  for (const image of group) {
    const sop = modules.get(image.referencedImageId)?.generalImageModule.sopInstanceUID;
    if (!sop) throw new Error(`labelmap image refers to an unknown image ${image.referencedImageId}`);
    const data = image.voxelManager ? image.voxelManager.getScalarData() : image.getPixelData();
    for (let i = 0; i < data.length; i++) if (data[i]) slices[sop].push([i, data[i]]);
  }
}
const segments = Object.entries(result.segMetadata.data ?? {})
  .filter(([, s]) => s && s.SegmentLabel !== undefined)
  .map(([number, s]) => ({ number: Number(number), label: s.SegmentLabel }));
process.stdout.write(JSON.stringify({ segments, slices }));
