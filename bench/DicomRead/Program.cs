using System.Diagnostics;
using Zsad.Dicom;
using Zsad.Dicom.Codecs;

// Reads every file of a folder, headers and pixels, as a series loader would: parse the dataset, decode the
// geometry attributes, and touch each frame. Prints the median wall time of several whole passes.
if (args.Length < 1)
{
    Console.Error.WriteLine("usage: DicomRead DIR [RUNS]");
    return 2;
}
var files = Directory.GetFiles(args[0], "*.dcm");
var runs = args.Length > 1 ? int.Parse(args[1]) : 7;
var times = new List<double>();
long checksum = 0;
for (var run = 0; run < runs + 1; run++) // the first pass warms the JIT and the page cache and is not counted
{
    var watch = Stopwatch.StartNew();
    foreach (var path in files)
    {
        var file = DicomFile.Open(path);
        var ds = file.Dataset;
        checksum += ds.GetDoubles(DicomTags.ImagePositionPatient).Length + ds.GetString(DicomTags.SeriesInstanceUID)!.Length;
        var pixels = new DicomPixelData(ds, file.TransferSyntax);
        for (var f = 0; f < pixels.NumberOfFrames; f++)
            checksum += System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(pixels.GetFrame(f).Span)[^1];
    }
    if (run > 0)
        times.Add(watch.Elapsed.TotalSeconds);
}
times.Sort();
Console.WriteLine($"{times[times.Count / 2]:F4} {files.Length} {checksum}");
return 0;
