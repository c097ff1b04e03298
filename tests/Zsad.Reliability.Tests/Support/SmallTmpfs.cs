namespace Zsad.Reliability.Tests.Support;

/// <summary>A tmpfs of a few MiB mounted for one test (tests run as root; test.sh runs them in a network namespace,
/// not a mount namespace, so the mount is unmounted in Dispose). Refusal fails the test: disk full is never skipped.</summary>
public sealed class SmallTmpfs : IDisposable
{
    public SmallTmpfs(string directory, int mebibytes)
    {
        Directory.CreateDirectory(directory);
        Path = directory;
        var result = Peers.Run("mount", ["-t", "tmpfs", "-o", $"size={mebibytes}m", "tmpfs", directory], TimeSpan.FromSeconds(20));
        Assert.True(result.ExitCode == 0,
            $"cannot mount a {mebibytes} MiB tmpfs on {directory} (the disk-full test needs root, or CAP_SYS_ADMIN): {result.StdErr}");
    }

    public string Path { get; }

    public void Dispose() => Peers.Run("umount", ["-l", Path], TimeSpan.FromSeconds(20));
}
