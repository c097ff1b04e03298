using System.Net.Sockets;
using DotNet.Testcontainers.Builders;
using Testcontainers.RabbitMq;
using Zsad.Listener.Bus;

namespace Zsad.Listener.Tests.Support;

/// <summary>A real RabbitMQ for the tests: Testcontainers where a Docker engine answers, else the broker named by
/// ZSAD_RABBITMQ (CI starts Debian's rabbitmq-server on loopback). Neither: the test FAILS, it never skips.</summary>
public static class RabbitMqBroker
{
    private static readonly Lazy<Task<string>> Uri = new(ResolveAsync);

    public static Task<string> UriAsync() => Uri.Value;

    private static async Task<string> ResolveAsync()
    {
        string? dockerProblem;
        try
        {
            // Build() throws DockerUnavailableException within ~0.5 s when no engine answers; the container is
            // removed by Testcontainers' resource reaper when the test process ends.
            var container = new RabbitMqBuilder("rabbitmq:3.13-management").Build();
            await container.StartAsync();
            return container.GetConnectionString();
        }
        catch (DockerUnavailableException ex)
        {
            dockerProblem = ex.Message.Split('\n')[0];
        }
        var configured = Environment.GetEnvironmentVariable(ZsadBus.RabbitMqVariable);
        if (string.IsNullOrWhiteSpace(configured))
            Assert.Fail($"no RabbitMQ for this test: Testcontainers found no Docker engine ({dockerProblem}) and {ZsadBus.RabbitMqVariable} is not set. "
                + "Start Debian's rabbitmq-server on loopback and set ZSAD_RABBITMQ=amqp://guest:guest@127.0.0.1:5672/ (test.sh does both).");
        var uri = ZsadBus.ParseBrokerUri(configured);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await socket.ConnectAsync(uri.Host, uri.IsDefaultPort || uri.Port <= 0 ? 5672 : uri.Port, timeout.Token);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            Assert.Fail($"{ZsadBus.RabbitMqVariable}={ZsadBus.Redact(configured)} does not answer ({ex.Message}); is rabbitmq-server running?");
        }
        return configured;
    }
}
