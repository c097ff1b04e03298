using Zsad.Dicom;
using Zsad.Dicom.Codecs;
using Zsad.Dicom.Json;

namespace Zsad.Reliability.Tests.Corpus;

/// <summary>Reads a file the way the listener's consumers do: parse, touch every value, decode the first frames. Some
/// wrong combinations (a transfer syntax that does not fit the pixels) parse, and fail only where pixels are used.</summary>
public static class Consumer
{
    public static DicomFile Read(ReadOnlyMemory<byte> bytes)
    {
        var file = DicomFile.Read(bytes);
        DicomJsonWriter.Serialize(file.Dataset);
        if (file.Dataset.Contains(DicomTags.PixelData))
        {
            var pixels = new DicomPixelData(file.Dataset, file.TransferSyntax);
            for (var f = 0; f < Math.Min(pixels.NumberOfFrames, 4); f++)
                pixels.GetFrame(f);
        }
        return file;
    }
}
