using System.Globalization;

namespace Zsad.Reporter.Export;

/// <summary>A C-STORE SCP outputs are sent to.</summary>
public sealed record ExportDestination(string Name, string Host, int Port, string CalledAE, string CallingAE = "ZSAD")
{
    /// <summary>"AE@host:port" (name = AE), as an operator types it.</summary>
    public static ExportDestination Parse(string text)
    {
        var at = text.IndexOf('@');
        var colon = text.LastIndexOf(':');
        if (at <= 0 || colon < at || !int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port))
            throw new ArgumentException($"destination '{text}': expected AE@host:port");
        var ae = text[..at];
        return new ExportDestination(ae, text[(at + 1)..colon], port, ae);
    }

    public override string ToString() => $"{CalledAE}@{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";
}
