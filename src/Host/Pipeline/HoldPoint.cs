namespace Zsad.Host.Pipeline;

/// <summary>Test hook for crash tests: where ZSAD_TEST_HOLD_AT names a point of the inference role and
/// ZSAD_TEST_HOLD_DIR a folder, the process stops at that point, says so with the file "&lt;point&gt;.reached" in the
/// folder, and waits there until it is killed (or stopped). A test can then kill -9 it at a known place in a volume's
/// life instead of guessing the moment with sleeps. Unset (always, in production), it does nothing.</summary>
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

    /// <summary>At the configured point: announce it and never return normally (only a stop cancels the wait).</summary>
    public async Task ReachAsync(string point, CancellationToken cancellationToken)
    {
        if (point != _point)
            return;
        await File.WriteAllTextAsync(Path.Combine(_directory, point + ".reached"), Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            cancellationToken).ConfigureAwait(false);
        await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
    }
}
