using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Zsad.Dicom.Network;

/// <summary>DICOM TLS (PS3.15 B.1) by certificate files: a PEM certificate with a PEM key, or a PKCS#12 file.
/// A trust file (PEM bundle or single certificate) replaces the system store for validating the peer; on
/// the server it also makes client certificates mandatory.</summary>
public sealed class DicomTlsOptions
{
    /// <summary>Our certificate: .pem/.crt (with <see cref="KeyPath"/>) or .pfx/.p12. Required on the server.</summary>
    public string? CertificatePath { get; init; }
    public string? KeyPath { get; init; }
    public string? Password { get; init; }

    /// <summary>Certificates trusted as roots for the peer's chain; null = the system trust store.</summary>
    public string? TrustedCertificatesPath { get; init; }

    /// <summary>Client only: the name the server certificate must carry; defaults to the host connected to.</summary>
    public string? ServerName { get; init; }

    public SslProtocols Protocols { get; init; } = SslProtocols.Tls12 | SslProtocols.Tls13;

    internal X509Certificate2? LoadCertificate()
    {
        if (CertificatePath is null)
            return null;
        var ext = Path.GetExtension(CertificatePath).ToLowerInvariant();
        if (ext is ".pfx" or ".p12")
            return X509CertificateLoader.LoadPkcs12FromFile(CertificatePath, Password);
        var cert = KeyPath is null
            ? X509Certificate2.CreateFromPemFile(CertificatePath)
            : Password is null ? X509Certificate2.CreateFromPemFile(CertificatePath, KeyPath)
            : X509Certificate2.CreateFromEncryptedPemFile(CertificatePath, Password, KeyPath);
        return cert;
    }

    internal X509Certificate2Collection? LoadTrusted()
    {
        if (TrustedCertificatesPath is null)
            return null;
        var collection = new X509Certificate2Collection();
        var text = File.ReadAllText(TrustedCertificatesPath);
        if (text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
            collection.ImportFromPem(text);
        else
            collection.Add(X509CertificateLoader.LoadCertificateFromFile(TrustedCertificatesPath));
        return collection;
    }

    /// <summary>Validation against <see cref="TrustedCertificatesPath"/> when given, else the platform's verdict.</summary>
    internal RemoteCertificateValidationCallback Validator(bool requireCertificate)
    {
        var trusted = LoadTrusted();
        return (_, certificate, _, errors) =>
        {
            if (certificate is null)
                return !requireCertificate;
            if (trusted is null)
                return errors == SslPolicyErrors.None;
            if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
                return false;
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(trusted);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            var cert = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            return chain.Build(cert);
        };
    }
}
