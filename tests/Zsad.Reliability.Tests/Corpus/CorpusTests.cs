using System.IO.Compression;
using Zsad.Dicom;
using Zsad.Imaging.Series;

namespace Zsad.Reliability.Tests.Corpus;

/// <summary>Every malformed file of the committed corpus raises exactly the error its manifest entry names; and the
/// committed files are still what <see cref="CorpusGenerator"/> makes.</summary>
public sealed class CorpusTests
{
    public static TheoryData<string> FileEntries => CorpusFiles.NamesOf("file");
    public static TheoryData<string> SeriesEntries => CorpusFiles.NamesOf("series");

    [Fact]
    public void CommittedCorpusIsWhatTheGeneratorMakes()
    {
        var (files, entries) = CorpusGenerator.Generate();
        if (Environment.GetEnvironmentVariable("ZSAD_WRITE_CORPUS") == "1")
        {
            // Regeneration: writes into the source tree, to be reviewed and committed.
            var root = CorpusFiles.SourceDirectory();
            foreach (var stale in Directory.EnumerateFiles(root, "*.*", SearchOption.AllDirectories).Where(p => p.EndsWith(".dcm", StringComparison.Ordinal) || p.EndsWith(".pdu", StringComparison.Ordinal)))
                File.Delete(stale);
            foreach (var (name, bytes) in files)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(root, name))!);
                File.WriteAllBytes(Path.Combine(root, name), bytes);
            }
            File.WriteAllBytes(Path.Combine(root, CorpusFiles.ManifestName), CorpusFiles.ManifestBytes(entries));
            return;
        }
        Assert.True(File.Exists(CorpusFiles.PathOf(CorpusFiles.ManifestName)), "the corpus is not committed: run once with ZSAD_WRITE_CORPUS=1");
        Assert.Equal(System.Text.Encoding.UTF8.GetString(CorpusFiles.ManifestBytes(entries)),
            System.Text.Encoding.UTF8.GetString(CorpusFiles.Read(CorpusFiles.ManifestName)).ReplaceLineEndings("\n"));
        foreach (var (name, bytes) in files)
        {
            var committed = CorpusFiles.Read(name);
            if (name == "deflate-bomb.dcm")
            {
                // zlib's exact output may change with the runtime: what matters is that it inflates to the same zeros.
                var header = bytes.Length - CorpusGenerator.DeflateBombBody().Length;
                Assert.Equal(bytes[..header], committed[..header]);
                using var inflate = new DeflateStream(new MemoryStream(committed, header, committed.Length - header), CompressionMode.Decompress);
                var buffer = new byte[1 << 20];
                long total = 0;
                int n;
                while ((n = inflate.Read(buffer)) > 0)
                {
                    Assert.True(buffer.AsSpan(0, n).IndexOfAnyExcept((byte)0) < 0, "the deflate bomb inflates to something other than zeros");
                    total += n;
                }
                Assert.Equal(CorpusGenerator.DeflateBombInflatedLength, total);
                continue;
            }
            Assert.True(bytes.AsSpan().SequenceEqual(committed), $"{name} differs from what the generator makes (regenerate with ZSAD_WRITE_CORPUS=1 and review)");
        }
        var committedNames = Directory.EnumerateFiles(CorpusFiles.Directory, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(CorpusFiles.Directory, p).Replace('\\', '/'))
            .Where(p => p != CorpusFiles.ManifestName && !p.EndsWith(".cs", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);
        Assert.Equal(files.Keys, committedNames);
    }

    [Fact]
    public void ValidSeedsOfEverySyntaxRead()
    {
        foreach (var name in new[] { "valid-explicit-le.dcm", "valid-implicit-le.dcm", "valid-deflated.dcm", "valid-big-endian.dcm" })
        {
            var file = DicomFile.Read(CorpusFiles.Read(name));
            Assert.Equal(CorpusGenerator.Valid().GetString(DicomTags.SOPInstanceUID), file.Dataset.GetString(DicomTags.SOPInstanceUID));
        }
    }

    [Theory]
    [MemberData(nameof(FileEntries))]
    public void MalformedFileRaisesItsExpectedError(string name)
    {
        var entry = CorpusFiles.Entry(name);
        var ex = Record.Exception(() => Consumer.Read(CorpusFiles.Read(entry.Files[0])));
        Assert.True(ex is not null, $"{name} ({entry.Wrong}) was read without error");
        var offset = (ex as DicomFormatException)?.Offset;
        var actual = $"{ex.GetType().Name} | {ex.Message} | offset {offset}";
        Assert.True(ex.GetType().Name == entry.Exception, $"{name}: expected {entry.Exception}, got {actual}");
        Assert.True(ex.Message.Contains(entry.Message!, StringComparison.Ordinal), $"{name}: expected a message containing '{entry.Message}', got {actual}");
        if (entry.Offset is { } expected)
            Assert.True(offset == expected, $"{name}: expected offset {expected}, got {actual}");
    }

    [Theory]
    [MemberData(nameof(SeriesEntries))]
    public void MalformedSeriesRaisesItsExpectedProblem(string name)
    {
        var entry = CorpusFiles.Entry(name);
        var files = entry.Files.Select(f => DicomFile.Read(CorpusFiles.Read(f))).ToList();
        var ex = Assert.Throws<DicomSeriesException>(() => DicomSeriesReader.Read(files));
        Assert.True(ex.Problem.ToString() == entry.Problem, $"{name}: expected {entry.Problem}, got {ex.Problem}: {ex.Message}");
    }
}
