using System.Diagnostics;
using Zsad.Imaging.Nifti;
using Zsad.Imaging.Series;

// Two jobs timed the way their peers are timed in run-imaging.sh, in-process after one warm-up pass:
//   series DIR OUT.nii.gz   DICOM series -> volume -> .nii.gz   (peer: dcm2niix -z y)
//   read FILE.nii.gz        NIfTI read to float voxels           (peer: nibabel load + get_fdata)
// Prints the median seconds of RUNS warm passes; RUNS 0 does one cold pass (the script then times the process).
var runs = int.Parse(args[^1]);
var times = new List<double>();
for (var run = 0; run <= runs; run++)
{
    var watch = Stopwatch.StartNew();
    switch (args[0])
    {
        case "series":
            NiftiWriter.Write(DicomSeriesReader.ReadDirectory(args[1]).Volume, args[2]);
            break;
        case "read":
            var image = NiftiReader.Read(args[1]);
            GC.KeepAlive(image.ToSingle());
            break;
        default:
            Console.Error.WriteLine("usage: ImagingBench series DIR OUT.nii.gz RUNS | read FILE.nii.gz RUNS");
            return 2;
    }
    if (run > 0 || runs == 0)
        times.Add(watch.Elapsed.TotalSeconds);
}
times.Sort();
Console.WriteLine($"{times[times.Count / 2]:F4}");
return 0;
