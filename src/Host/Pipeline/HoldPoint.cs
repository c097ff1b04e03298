namespace Zsad.Host.Pipeline;

/// <summary>Test hook for crash tests: where ZSAD_TEST_HOLD_AT names a point of the inference role and
/// ZSAD_TEST_HOLD_DIR a folder, the process stops at that point, says so with the file "&lt;point&gt;.reached" in the
/// folder, and waits there until the file "&lt;point&gt;.release" appears, or it is killed or stopped. A test can then
/// kill -9 it at a known place in a volume's life, or load the service while inference is busy, instead of guessing the
/// moment with sleeps. It holds once per process. Unset (always, in production), it does nothing.</summary>
public sealed class HoldPoint
{
    public const string PointVariable = "ZSAD_TEST_HOLD_AT";
    public const string DirectoryVariable = "ZSAD_TEST_HOLD_DIR";

    /// <summary>The detector has computed the volume's map; nothing of it is stored or published yet.</summary>
    public const string MapComputed = "map-computed";

    /// <summary>The AnomalyMapReady is published; the VolumeReady is not acknowledged yet.</summary>
    public const string MapPublished = "map-published";

    private static readonly string[] Points = [MapComputed, MapPublished];
    private readonly string _point;
    private readonly string _directory;
    private int _held;

    private HoldPoint(string point, string directory)
    {
        _point = point;
        _directory = directory;
    }

    /// <summary>The hold the environment asks for, or null when it asks for none.</summary>
    public static HoldPoint? FromEnvironment()
    {
        var point = Environment.GetEnvironmentVariable(PointVariable);
        if (string.IsNullOrEmpty(point))
            return null;
        if (!Points.Contains(point, StringComparer.Ordinal))
            throw new InvalidOperationException($"{PointVariable}='{point}' is not a hold point (one of: {string.Join(", ", Points)})");
        var directory = Environment.GetEnvironmentVariable(DirectoryVariable);
        if (string.IsNullOrEmpty(directory) || !Directory.Exists(directory))
            throw new InvalidOperationException($"{PointVariable} is set, but {DirectoryVariable} does not name an existing folder ('{directory}')");
        return new HoldPoint(point, directory);
    }

    /// <summary>At the configured point, the first time: announce it and wait for the release file.</summary>
    public async Task ReachAsync(string point, CancellationToken cancellationToken)
    {
        if (point != _point || Interlocked.Exchange(ref _held, 1) == 1)
            return;
        await File.WriteAllTextAsync(Path.Combine(_directory, point + ".reached"), Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            cancellationToken).ConfigureAwait(false);
        var release = Path.Combine(_directory, point + ".release");
        while (!File.Exists(release))
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
    }
}
