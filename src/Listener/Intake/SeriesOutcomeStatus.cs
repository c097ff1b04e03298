namespace Zsad.Listener.Intake;

public enum SeriesOutcomeStatus
{
    /// <summary>A volume was built and its VolumeReady is in the outbox.</summary>
    Published,
    /// <summary>The filter rules passed over it; its instances stay in the intake store.</summary>
    Filtered,
    /// <summary>No volume could be built (e.g. inconsistent geometry); its instances stay in the intake store.</summary>
    Failed,
}
