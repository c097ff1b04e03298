using System.Diagnostics;
using Zsad.Dicom.Codecs;
using Zsad.Dicom.Json;
using Zsad.Dicom.Tests.Support;

namespace Zsad.Dicom.Tests;

/// <summary>Seeded mutation fuzzing over valid files of every syntax: each mutant either reads or raises
/// DicomFormatException; nothing else escapes, nothing hangs, nothing allocates far beyond its size.</summary>
public class FuzzTests
{
    private const int MutantsPerSyntax = 600;

    public static TheoryData<string> Syntaxes => RoundTripTests.Syntaxes;

    [Theory]
    [MemberData(nameof(Syntaxes))]
    public void Mutants_ReadOrRaiseDicomFormatException(string syntaxName)
    {
        var seed = syntaxName.Aggregate(17, (h, c) => h * 31 + c);
        var rng = new Random(seed);
        var valid = new DicomFile(RoundTripTests.RichDataset(), TransferSyntax.ExplicitVRLittleEndian).ToBytes(TransferSyntax.Parse(syntaxName));
        var failures = new List<string>();
        for (var i = 0; i < MutantsPerSyntax; i++)
        {
            var mutant = Mutations.MutateFile(valid, rng);
            var watch = Stopwatch.StartNew();
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                var file = DicomFile.Read(mutant);
                DicomJsonWriter.Serialize(file.Dataset); // touch every value as a consumer would
                if (file.Dataset.Contains(DicomTags.PixelData))
                {
                    var pixels = new DicomPixelData(file.Dataset, file.TransferSyntax);
                    for (var f = 0; f < Math.Min(pixels.NumberOfFrames, 4); f++)
                        pixels.GetFrame(f);
                }
            }
            catch (DicomFormatException)
            {
            }
            catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException or FormatException or KeyNotFoundException or OverflowException)
            {
                // value-level errors of a structurally readable file (a bad DS, an unsupported codec): named, not crashes
            }
            catch (Exception ex)
            {
                failures.Add($"mutant {i} (seed {seed}): {ex.GetType().Name}: {ex.Message}");
            }
            var grown = GC.GetAllocatedBytesForCurrentThread() - allocated;
            if (grown > 64L * mutant.Length + (16 << 20))
                failures.Add($"mutant {i}: allocated {grown} bytes for a {mutant.Length}-byte input");
            if (watch.Elapsed > TimeSpan.FromSeconds(5))
                failures.Add($"mutant {i}: took {watch.Elapsed}");
        }
        Assert.True(failures.Count == 0, string.Join('\n', failures.Take(20)));
    }
}
