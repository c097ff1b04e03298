namespace Zsad.Listener.Filtering;

/// <summary>Whether a series is processed and, when not, the rule that said so (logged and kept in its outcome).</summary>
public sealed record FilterDecision(bool Accepted, string? Reason)
{
    public static FilterDecision Accept { get; } = new(true, null);

    public static FilterDecision Reject(string reason) => new(false, reason);
}
