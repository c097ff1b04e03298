using System.Diagnostics;
using Zsad.Cli;
using Zsad.Dicom.Tests.Support;

namespace Zsad.Dicom.Tests.Network;

/// <summary>`zsad echo|store|scp`: exit codes, files written, and the SCP stopping cleanly on SIGTERM.</summary>
public sealed class NetworkCommandTests
{
    [Fact]
    public async Task EchoAndStore_ExitZeroOnSuccess_NonZeroOnFailure()
    {
        using var dir = new TempDir();
        await using var server = NetworkFixtures.StartServer(dir.File("rx"));
        var port = server.Port.ToString();
        Assert.Equal(0, Program.Main(["echo", "--host", "127.0.0.1", "--port", port, "--aec", "ZSAD", "--aet", "CLI"]));
        Assert.Equal(1, Program.Main(["echo", "--host", "127.0.0.1", "--port", port, "--aec", "NOPE"]));
        NetworkFixtures.WriteMrFiles(dir.File("in/a"), 2);
        NetworkFixtures.WriteMrFiles(dir.File("in/b/c"), 2, seed: 5);
        Assert.Equal(0, Program.Main(["store", "--host", "127.0.0.1", "--port", port, "--aec", "ZSAD", dir.File("in")]));
        Assert.Equal(4, Directory.EnumerateFiles(dir.File("rx")).Count());
        File.WriteAllText(dir.File("in/not-dicom.txt"), "hello");
        Assert.Equal(1, Program.Main(["store", "--host", "127.0.0.1", "--port", port, "--aec", "ZSAD", dir.File("in")]));
        Assert.Equal(2, Program.Main(["store", "--host", "127.0.0.1", "--aec", "ZSAD", dir.File("in")])); // no --port
    }

    [Fact]
    public async Task Scp_ReceivesFromStorescu_WritesFilesNamedByUid_StopsOnSigterm()
    {
        using var dir = new TempDir();
        var files = NetworkFixtures.WriteMrFiles(dir.File("in"), 3);
        var port = NetworkFixtures.FreePort();
        var zsad = Path.Combine(AppContext.BaseDirectory, "zsad.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { zsad, "scp", "--port", port.ToString(), "--aet", "ZSAD", "--out", dir.File("rx"), "--bind", "127.0.0.1", "--allow-calling", "STORESCU,OTHER" })
            psi.ArgumentList.Add(a);
        using var scp = Process.Start(psi)!;
        var stderr = scp.StandardError.ReadToEndAsync();
        try
        {
            NetworkFixtures.WaitForPort(port, scp);
            NetworkFixtures.RunPeer("storescu", "-aec", "ZSAD", "-aet", "STORESCU", "127.0.0.1", port.ToString(), files[0], files[1], files[2]).EnsureSuccess("storescu");
            var refused = NetworkFixtures.RunPeer("storescu", "-aec", "ZSAD", "-aet", "INTRUDER", "127.0.0.1", port.ToString(), files[0]);
            Assert.NotEqual(0, refused.ExitCode);
            Peers.Run("/bin/kill", ["-TERM", scp.Id.ToString()]).EnsureSuccess("kill -TERM");
            Assert.True(scp.WaitForExit(20_000), "zsad scp did not stop on SIGTERM");
            Assert.Equal(0, scp.ExitCode);
        }
        finally
        {
            if (!scp.HasExited)
                scp.Kill();
        }
        Assert.Contains("listening on 127.0.0.1", await stderr);
        foreach (var f in files)
        {
            var uid = DicomFile.Open(f).Dataset.GetRequiredString(DicomTags.SOPInstanceUID);
            Assert.True(File.Exists(Path.Combine(dir.File("rx"), uid + ".dcm")), $"{uid}.dcm missing");
        }
        Assert.Equal(3, Directory.EnumerateFiles(dir.File("rx")).Count()); // no temporary files left behind
    }
}
