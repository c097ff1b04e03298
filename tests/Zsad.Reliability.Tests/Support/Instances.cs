using Zsad.Dicom;

namespace Zsad.Reliability.Tests.Support;

/// <summary>Series of valid MR instances (geometry along z) to send to the listener.</summary>
public static class Instances
{
    public static List<DicomFile> Series(int count, int size = 16, Action<DicomDataset>? change = null)
    {
        var series = DicomUid.Generate();
        var files = new List<DicomFile>(count);
        for (var i = 1; i <= count; i++)
        {
            var ds = TestImages.MrImage(rows: size, columns: size, seed: i, seriesUid: series, instance: i);
            change?.Invoke(ds);
            files.Add(new DicomFile(ds, TransferSyntax.ExplicitVRLittleEndian));
        }
        return files;
    }

    public static async Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out after {timeout} waiting for {what}");
            await Task.Delay(50);
        }
    }
}
