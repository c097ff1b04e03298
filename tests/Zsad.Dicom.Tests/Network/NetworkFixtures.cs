using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Zsad.Dicom.Network;

namespace Zsad.Dicom.Tests.Network;

/// <summary>Shared pieces of the network tests: test instances on disk, free loopback ports, an in-process SCP
/// storing into a folder, background dcmtk peers, and dataset comparison.</summary>
public static class NetworkFixtures
{
    public const string DicomSoftware = "dcmtk";

    public static readonly TimeSpan PeerTimeout = TimeSpan.FromSeconds(90);

    public static int FreePort() => Peers.FreePort();

    /// <summary>MR instances (64x64, 16-bit OW pixels) saved as Part 10 files in Explicit VR LE.</summary>
    public static List<string> WriteMrFiles(string directory, int count, int seed = 1, TransferSyntax? syntax = null)
    {
        Directory.CreateDirectory(directory);
        var series = DicomUid.Generate();
        var paths = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var ds = TestImages.MrImage(64, 64, seed + i, series, i + 1);
            var path = Path.Combine(directory, $"mr{i:D3}.dcm");
            new DicomFile(ds, TransferSyntax.ExplicitVRLittleEndian).Save(path, syntax ?? TransferSyntax.ExplicitVRLittleEndian);
            paths.Add(path);
        }
        return paths;
    }

    /// <summary>A minimal Segmentation Storage instance: storage SCPs do not validate the IOD, the SOP class is
    /// what has to be negotiated.</summary>
    public static string WriteSegFile(string directory)
    {
        var ds = TestImages.MrImage(64, 64, 99);
        ds.SetString(DicomTags.SOPClassUID, DicomUid.SegmentationStorage);
        ds.SetString(DicomTags.Modality, "SEG");
        var path = Path.Combine(directory, "seg.dcm");
        new DicomFile(ds, TransferSyntax.ExplicitVRLittleEndian).Save(path);
        return path;
    }

    public static DicomServer StartServer(string outputDirectory, DicomServerOptions? options = null,
        Func<ReceivedInstance, CancellationToken, ValueTask>? store = null)
    {
        options ??= new DicomServerOptions { Port = 0, AETitle = "ZSAD" };
        var folder = new Part10FolderStore(outputDirectory, flushToDisk: false);
        var server = new DicomServer(options, store ?? folder.StoreAsync);
        server.Start();
        return server;
    }


    /// <summary>Runs a dcmtk tool to completion (bounded), after checking it is installed.</summary>
    public static Peers.Result RunPeer(string program, params string[] args)
    {
        var exe = Peers.Require(program, DicomSoftware);
        return Peers.Run(exe, args, PeerTimeout);
    }

    /// <summary>Starts a long-running dcmtk peer (storescp) with TCP_NODELAY=1 in its environment: without it Debian's
    /// dcmtk stalls on delayed ACKs.</summary>
    public static Process StartPeer(string program, params string[] args)
        => PeerProcess.Start(Peers.Require(program, DicomSoftware), args, new Dictionary<string, string> { ["TCP_NODELAY"] = "1" });

    public static void WaitForPort(int port, Process? process = null) => PeerProcess.WaitForPort(port, process);

    public static string Output(Process p) => PeerProcess.Output(p);

    public static void Stop(Process p) => PeerProcess.Stop(p);

    /// <summary>Every file in a folder, by SOP Instance UID.</summary>
    public static Dictionary<string, DicomFile> ReadFolder(string directory)
        => Directory.EnumerateFiles(directory)
            .Where(f => !Path.GetFileName(f).StartsWith('.'))
            .Select(f => DicomFile.Open(f))
            .ToDictionary(f => f.Dataset.GetRequiredString(DicomTags.SOPInstanceUID));

    /// <summary>Same elements with the same value bytes (VRs may differ between Implicit and Explicit VR, and
    /// group lengths are ignored); sequences item by item; encapsulated pixel data fragment by fragment.</summary>
    public static void AssertSameDataset(DicomDataset expected, DicomDataset actual, string where = "")
    {
        var e = expected.Where(i => !i.Tag.IsGroupLength).ToList();
        var a = actual.Where(i => !i.Tag.IsGroupLength).ToList();
        Assert.True(e.Select(i => i.Tag).SequenceEqual(a.Select(i => i.Tag)),
            $"{where}: tags differ: expected [{string.Join(' ', e.Select(i => i.Tag))}] got [{string.Join(' ', a.Select(i => i.Tag))}]");
        for (var k = 0; k < e.Count; k++)
        {
            var at = $"{where}{e[k].Tag}";
            switch (e[k], a[k])
            {
                case (DicomElement x, DicomElement y):
                    Assert.True(x.Buffer.Span.SequenceEqual(y.Buffer.Span), $"{at}: value bytes differ");
                    break;
                case (DicomSequence x, DicomSequence y):
                    Assert.Equal(x.Items.Count, y.Items.Count);
                    for (var n = 0; n < x.Items.Count; n++)
                        AssertSameDataset(x.Items[n], y.Items[n], $"{at}[{n}]");
                    break;
                case (DicomFragments x, DicomFragments y):
                    Assert.Equal(x.Fragments.Count, y.Fragments.Count);
                    for (var n = 0; n < x.Fragments.Count; n++)
                        Assert.True(x.Fragments[n].Span.SequenceEqual(y.Fragments[n].Span), $"{at} fragment {n} differs");
                    break;
                default:
                    Assert.Fail($"{at}: {e[k].GetType().Name} became {a[k].GetType().Name}");
                    break;
            }
        }
    }

    /// <summary>Native pixel values, decoding RLE when needed, so pixels compare across syntaxes.</summary>
    public static byte[] Pixels(DicomFile file)
        => file.TransferSyntax.IsEncapsulated
            ? DicomFile.Read(file.ToBytes(TransferSyntax.ExplicitVRLittleEndian)).Dataset.GetBytes(DicomTags.PixelData).ToArray()
            : file.Dataset.GetBytes(DicomTags.PixelData).ToArray();
}
