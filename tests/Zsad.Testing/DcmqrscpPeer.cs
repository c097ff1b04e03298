using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Zsad.Testing;

/// <summary>dcmtk's dcmqrscp, a Query/Retrieve SCP (C-FIND, C-GET, C-MOVE) over its own index in a temp folder, loaded
/// with storescu. Its configuration names the AEs it may C-MOVE to. It binds every interface, so like Orthanc it runs
/// only inside a private network namespace.</summary>
public sealed class DcmqrscpPeer : IDisposable
{
    private readonly Process _process;
    private readonly TempDir _dir = new();

    public string AETitle => "DCMQR";
    public int Port { get; }

    /// <param name="moveDestinations">AE title and loopback port of each C-MOVE destination it knows.</param>
    public DcmqrscpPeer(IEnumerable<(string AETitle, int Port)>? moveDestinations = null)
    {
        var exe = Peers.Require("dcmqrscp", "dcmtk");
        Peers.RequirePrivateNetworkNamespace();
        Port = Peers.FreePort();
        var db = _dir.Sub("db");
        var config = new StringBuilder();
        config.AppendLine(CultureInfo.InvariantCulture, $"NetworkTCPPort = {Port}");
        config.AppendLine("MaxPDUSize = 16384");
        config.AppendLine("MaxAssociations = 16");
        config.AppendLine("HostTable BEGIN");
        var n = 0;
        foreach (var (ae, port) in moveDestinations ?? [])
            config.AppendLine(CultureInfo.InvariantCulture, $"peer{n++} = ({ae}, 127.0.0.1, {port})");
        config.AppendLine("HostTable END");
        config.AppendLine("VendorTable BEGIN");
        config.AppendLine("VendorTable END");
        config.AppendLine("AETable BEGIN");
        config.AppendLine(CultureInfo.InvariantCulture, $"{AETitle} {db} RW (200, 1024mb) ANY");
        config.AppendLine("AETable END");
        File.WriteAllText(_dir.File("dcmqrscp.cfg"), config.ToString());
        _process = PeerProcess.Start(exe, ["-c", _dir.File("dcmqrscp.cfg")], new Dictionary<string, string> { ["TCP_NODELAY"] = "1" });
        PeerProcess.WaitForPort(Port, _process);
    }

    /// <summary>Stores every file under the folder into the archive (storescu, recursive).</summary>
    public void Load(string directory)
        => Peers.Run(Peers.Require("storescu", "dcmtk"), ["-aet", "LOADER", "-aec", AETitle, "+sd", "+r", "127.0.0.1", Port.ToString(CultureInfo.InvariantCulture), directory],
            TimeSpan.FromSeconds(120), environment: new Dictionary<string, string> { ["TCP_NODELAY"] = "1" }).EnsureSuccess("storescu into dcmqrscp");

    public string Output => PeerProcess.Output(_process);

    public void Dispose()
    {
        PeerProcess.Stop(_process);
        _dir.Dispose();
    }
}
