using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;

namespace Zsad.Dicom.Network;

/// <summary>Loads each TLS options' certificate once, not once per connection (PEM key parsing is slow).</summary>
internal static class TlsCertificateCache
{
    private static readonly ConditionalWeakTable<DicomTlsOptions, X509Certificate2> Loaded = new();

    public static X509Certificate2? Get(DicomTlsOptions tls)
    {
        if (tls.CertificatePath is null)
            return null;
        return Loaded.GetValue(tls, t => t.LoadCertificate()!);
    }
}
