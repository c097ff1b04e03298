using Zsad.Listener.Bus;

namespace Zsad.Host.Tests.Support;

/// <summary>The broker named by ZSAD_RABBITMQ, with a virtual host of this test's own: message types map to shared
/// exchanges, so without it the Listener tests' VolumeReady messages (same broker, running in parallel) would reach
/// these queues and ours theirs. Without ZSAD_RABBITMQ the test FAILS (test.sh starts rabbitmq-server).</summary>
public sealed class PrivateVirtualHost : IDisposable
{
    private readonly string _rabbitmqctl;

    public PrivateVirtualHost()
    {
        var configured = Environment.GetEnvironmentVariable(ZsadBus.RabbitMqVariable);
        if (string.IsNullOrWhiteSpace(configured))
            Assert.Fail($"no RabbitMQ for this test: {ZsadBus.RabbitMqVariable} is not set. Start Debian's rabbitmq-server on loopback and set "
                + "ZSAD_RABBITMQ=amqp://guest:guest@127.0.0.1:5672/ (test.sh does both).");
        var uri = ZsadBus.ParseBrokerUri(configured);
        _rabbitmqctl = Peers.Require("rabbitmqctl", "rabbitmq-server");
        Name = "zsad-host-test-" + Guid.NewGuid().ToString("N")[..8];
        Peers.Run(_rabbitmqctl, ["add_vhost", Name], TimeSpan.FromSeconds(60)).EnsureSuccess("rabbitmqctl add_vhost");
        var user = uri.UserInfo.Length == 0 ? "guest" : System.Uri.UnescapeDataString(uri.UserInfo.Split(':')[0]);
        Peers.Run(_rabbitmqctl, ["set_permissions", "-p", Name, user, ".*", ".*", ".*"], TimeSpan.FromSeconds(60)).EnsureSuccess("rabbitmqctl set_permissions");
        Uri = new UriBuilder(uri) { Path = "/" + Name }.Uri.ToString();
    }

    public string Name { get; }

    /// <summary>amqp://user:pass@host:port/&lt;this vhost&gt;.</summary>
    public string Uri { get; }

    public void Dispose() => Peers.Run(_rabbitmqctl, ["delete_vhost", Name], TimeSpan.FromSeconds(60));
}
