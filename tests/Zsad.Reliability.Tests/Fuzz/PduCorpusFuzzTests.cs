using Zsad.Dicom.Network;
using Zsad.Reliability.Tests.Corpus;
using Zsad.Reliability.Tests.Support;

namespace Zsad.Reliability.Tests.Fuzz;

/// <summary>A longer seeded PDU fuzz than tests/Zsad.Dicom.Tests/Network/PduFuzzTests (same cases, Zsad.Testing.PduFuzz),
/// plus mutants of the corpus's PDU captures, against a live SCP on 127.0.0.1 while an honest association stores a
/// series: the SCP neither crashes nor disturbs the honest peer, and ends every fuzzed association. Bounded by count
/// (ZSAD_FUZZ_PDU_COUNT, default 600) and by every wait.</summary>
public sealed class PduCorpusFuzzTests
{
    private const int Seed = 20261129;
    private static int Count => int.TryParse(Environment.GetEnvironmentVariable("ZSAD_FUZZ_PDU_COUNT"), out var n) && n > 0 ? n : 600;

    [Fact]
    public async Task GeneratedAndCorpusMutantPdusLeaveTheScpServing()
    {
        using var dir = new TempDir();
        var store = new Part10FolderStore(dir.Sub("rx"), flushToDisk: false);
        await using var server = new DicomServer(new DicomServerOptions
        {
            Port = 0, AETitle = "ZSAD", MaxAssociations = 64, MaxPduLength = 16384, MaxDatasetLength = 1 << 20,
            ArtimTimeout = TimeSpan.FromSeconds(1), DimseTimeout = TimeSpan.FromSeconds(1), IdleTimeout = TimeSpan.FromSeconds(2),
        }, store.StoreAsync);
        server.Start();
        var honest = new DicomClient(new DicomClientOptions { Host = "127.0.0.1", Port = server.Port, CalledAE = "ZSAD", MaxRetries = 0 })
            .StoreAsync(Instances.Series(40));

        var captures = CorpusFiles.Manifest().Where(e => e.Kind == "pdu").ToList();
        var rng = new Random(Seed);
        var cases = Enumerable.Range(0, Count).Select(_ =>
        {
            if (rng.Next(2) == 0)
                return PduFuzz.MakeCase(rng);
            var capture = captures[rng.Next(captures.Count)];
            return new PduFuzz.Case(capture.AfterAssociation ? PduFuzz.ValidRequest() : null, PduFuzz.Mutate(rng, CorpusFiles.Read(capture.Files[0])));
        }).ToList();
        await PduFuzz.RunAllAsync(server.Port, cases, parallel: 8, TimeSpan.FromSeconds(150));

        var results = await honest.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.All(results, r => Assert.True(r.IsStored, r.ToString()));
        Assert.Equal(DicomStatus.Success, await new DicomClient(new DicomClientOptions { Host = "127.0.0.1", Port = server.Port, CalledAE = "ZSAD", MaxRetries = 0 }).EchoAsync());
        await Instances.UntilAsync(() => server.ActiveAssociations == 0, TimeSpan.FromSeconds(10), "every fuzzed association to end");
    }
}
