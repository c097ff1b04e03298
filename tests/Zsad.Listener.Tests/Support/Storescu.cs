using System.Globalization;

namespace Zsad.Listener.Tests.Support;

/// <summary>dcmtk's storescu as the sending modality.</summary>
public static class Storescu
{
    /// <summary>Sends files in one association; dcmtk leaves Nagle on unless TCP_NODELAY=1 is in its environment.</summary>
    public static void Send(int port, IEnumerable<string> files, string calledAE = "ZSAD")
        => Peers.Run(Peers.Require("storescu", "dcmtk"),
                ["-aet", "LISTENERTEST", "-aec", calledAE, "127.0.0.1", port.ToString(CultureInfo.InvariantCulture), .. files],
                TimeSpan.FromSeconds(60), environment: new Dictionary<string, string> { ["TCP_NODELAY"] = "1" })
            .EnsureSuccess("storescu");
}
