namespace Zsad.Listener.Intake;

/// <summary>What to do with new instances of a series that was already closed (they arrived after a pause longer than
/// the quiet time). They are always stored and acknowledged; this decides only whether the series is built again.</summary>
public enum LateInstancePolicy
{
    /// <summary>Close the series again after the next quiet time and publish a new generation built from all its
    /// instances (VolumeReady.Generation 2, 3, ...).</summary>
    Reprocess,
    /// <summary>Keep them in the store and log them; the series is not processed again.</summary>
    Keep,
}
