using Zsad.Dicom.Network;
using Zsad.Dicom.Tests.Support;

namespace Zsad.Dicom.Tests.Network;

/// <summary>Seeded, bounded fuzzing of a live SCP on 127.0.0.1 with random and mutated PDUs, while an honest
/// association stores instances: the SCP must neither crash nor disturb the honest peer, and must end every
/// fuzzed association.</summary>
public sealed class PduFuzzTests
{
    private const int Cases = 300;
    private const int Seed = 20261128;

    [Fact]
    public async Task RandomAndMutatedPdus_NoCrash_HonestAssociationCompletes()
    {
        using var dir = new TempDir();
        var options = new DicomServerOptions
        {
            Port = 0, AETitle = "ZSAD", MaxAssociations = 64, MaxPduLength = 16384, MaxDatasetLength = 1 << 20,
            ArtimTimeout = TimeSpan.FromSeconds(1), DimseTimeout = TimeSpan.FromSeconds(1), IdleTimeout = TimeSpan.FromSeconds(2),
        };
        await using var server = NetworkFixtures.StartServer(dir.File("rx"), options);
        var files = NetworkFixtures.WriteMrFiles(dir.File("in"), 20);
        var honest = new DicomClient(new DicomClientOptions { Host = "127.0.0.1", Port = server.Port, CalledAE = "ZSAD", MaxRetries = 0 })
            .StoreFilesAsync(files);

        var rng = new Random(Seed);
        var cases = Enumerable.Range(0, Cases).Select(_ => PduFuzz.MakeCase(rng)).ToList();
        await PduFuzz.RunAllAsync(server.Port, cases, parallel: 8, TimeSpan.FromSeconds(120));

        var results = await honest.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.All(results, r => Assert.True(r.IsStored, r.ToString()));
        Assert.Equal(DicomStatus.Success, await new DicomClient(new DicomClientOptions { Host = "127.0.0.1", Port = server.Port, CalledAE = "ZSAD", MaxRetries = 0 }).EchoAsync());
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (server.ActiveAssociations > 0 && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        Assert.Equal(0, server.ActiveAssociations);
    }
}
