namespace Zsad.Host.Configuration;

/// <summary>What one process runs; <see cref="All"/> is the embedded default.</summary>
[Flags]
public enum ServiceRole
{
    Listener = 1,
    Inference = 2,
    Reporter = 4,
    All = Listener | Inference | Reporter,
}
