using Zsad.Dicom;
using Zsad.Imaging.Series;
using Zsad.Reliability.Tests.Corpus;

namespace Zsad.Reliability.Tests.Fuzz;

/// <summary>A longer seeded fuzz than tests/Zsad.Dicom.Tests/FuzzTests (same mutations, Zsad.Testing.Mutations) over
/// the corpus's valid files of every syntax, through the file reader and the series reader: a mutant reads or raises
/// DicomFormatException / DicomSeriesException, nothing else. Bounded by count (ZSAD_FUZZ_COUNT, default 1500).</summary>
public sealed class CorpusFuzzTests
{
    private static int Count => int.TryParse(Environment.GetEnvironmentVariable("ZSAD_FUZZ_COUNT"), out var n) && n > 0 ? n : 1500;

    public static TheoryData<string> Seeds => new() { "valid-explicit-le.dcm", "valid-implicit-le.dcm", "valid-deflated.dcm", "valid-big-endian.dcm" };

    [Theory]
    [MemberData(nameof(Seeds))]
    public void MutantsReadOrRaiseTheirOneExceptionType(string seedFile)
    {
        var seed = seedFile.Aggregate(20261129, (h, c) => h * 31 + c);
        var rng = new Random(seed);
        var valid = CorpusFiles.Read(seedFile);
        var neighbours = new[] { 2, 3 }.Select(i => new DicomFile(CorpusGenerator.Valid("a", i), TransferSyntax.ExplicitVRLittleEndian)).ToList();
        var failures = new List<string>();
        for (var i = 0; i < Count; i++)
        {
            var mutant = Mutations.MutateFile(valid, rng);
            DicomFile file;
            try
            {
                file = Consumer.Read(mutant);
            }
            catch (DicomFormatException)
            {
                continue;
            }
            catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException or FormatException or KeyNotFoundException or OverflowException)
            {
                continue; // value-level errors of a structurally readable file, as in FuzzTests
            }
            catch (Exception ex)
            {
                failures.Add($"mutant {i} (seed {seed}) file: {ex.GetType().Name}: {ex.Message}");
                continue;
            }
            try
            {
                DicomSeriesReader.Read([file, .. neighbours]);
            }
            catch (DicomSeriesException)
            {
            }
            catch (Exception ex)
            {
                failures.Add($"mutant {i} (seed {seed}) series: {ex.GetType().Name}: {ex.Message}");
            }
        }
        Assert.True(failures.Count == 0, string.Join('\n', failures.Take(20)));
    }
}
