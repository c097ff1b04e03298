using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Zsad.Dicom.Network;
using Zsad.Dicom.Tests.Support;

namespace Zsad.Dicom.Tests.Network;

/// <summary>DICOM TLS with a self-signed certificate made here, loaded from PEM and from PFX files.</summary>
public sealed class TlsTests
{
    private static (string CertPem, string KeyPem, string Pfx) MakeCertificate(string dir)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var certPem = Path.Combine(dir, "cert.pem");
        var keyPem = Path.Combine(dir, "key.pem");
        var pfx = Path.Combine(dir, "cert.pfx");
        File.WriteAllText(certPem, cert.ExportCertificatePem());
        File.WriteAllText(keyPem, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllBytes(pfx, cert.Export(X509ContentType.Pkcs12, "secret"));
        return (certPem, keyPem, pfx);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task EchoAndStore_OverTls_WithTrustedSelfSignedCertificate(bool pfx)
    {
        using var dir = new TempDir();
        var (certPem, keyPem, pfxPath) = MakeCertificate(dir.Path);
        var serverTls = pfx ? new DicomTlsOptions { CertificatePath = pfxPath, Password = "secret" } : new DicomTlsOptions { CertificatePath = certPem, KeyPath = keyPem };
        await using var server = NetworkFixtures.StartServer(dir.File("rx"), new DicomServerOptions { Port = 0, AETitle = "ZSAD", Tls = serverTls });
        var client = new DicomClient(new DicomClientOptions
        {
            Host = "127.0.0.1", Port = server.Port, CalledAE = "ZSAD", MaxRetries = 0,
            Tls = new DicomTlsOptions { TrustedCertificatesPath = certPem, ServerName = "localhost" },
        });
        Assert.Equal(DicomStatus.Success, await client.EchoAsync());
        var files = NetworkFixtures.WriteMrFiles(dir.File("in"), 2);
        Assert.All(await client.StoreFilesAsync(files), r => Assert.True(r.IsStored, r.ToString()));
        Assert.Equal(2, Directory.EnumerateFiles(dir.File("rx")).Count());
    }

    [Fact]
    public async Task UntrustedServerCertificate_FailsTheClient()
    {
        using var dir = new TempDir();
        var (certPem, keyPem, _) = MakeCertificate(dir.Path);
        await using var server = NetworkFixtures.StartServer(dir.File("rx"), new DicomServerOptions { Port = 0, AETitle = "ZSAD", Tls = new DicomTlsOptions { CertificatePath = certPem, KeyPath = keyPem } });
        var client = new DicomClient(new DicomClientOptions { Host = "127.0.0.1", Port = server.Port, CalledAE = "ZSAD", MaxRetries = 0, Tls = new DicomTlsOptions { ServerName = "localhost" } });
        await Assert.ThrowsAsync<System.Security.Authentication.AuthenticationException>(() => client.EchoAsync());
    }
}
