using MassTransit;

namespace Zsad.Listener.Bus;

/// <summary>Creates the bus: RabbitMQ when a broker URI is configured (amqp://user:pass@host:port/vhost), in-memory
/// otherwise (one process, tests, demos).</summary>
public static class ZsadBus
{
    /// <summary>Environment variable naming the RabbitMQ broker, e.g. amqp://guest:guest@127.0.0.1:5672/.</summary>
    public const string RabbitMqVariable = "ZSAD_RABBITMQ";

    public static IBusControl Create(string? rabbitMqUri, Action<IBusFactoryConfigurator>? configure = null)
    {
        if (string.IsNullOrWhiteSpace(rabbitMqUri))
            return MassTransit.Bus.Factory.CreateUsingInMemory(cfg => configure?.Invoke(cfg));
        var uri = ParseBrokerUri(rabbitMqUri);
        var (user, password) = Credentials(uri);
        var virtualHost = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        return MassTransit.Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(uri.Host, (ushort)(uri.IsDefaultPort || uri.Port <= 0 ? 5672 : uri.Port), virtualHost.Length == 0 ? "/" : virtualHost, h =>
            {
                h.Username(user);
                h.Password(password);
                // The outbox retries on its own schedule; a short heartbeat notices a dead broker quickly.
                h.Heartbeat(TimeSpan.FromSeconds(5));
            });
            configure?.Invoke(cfg);
        });
    }

    /// <summary>Validates a broker URI, naming the variable in the error so bad configuration fails at start-up.</summary>
    public static Uri ParseBrokerUri(string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "rabbitmq") || uri.Host.Length == 0)
            throw new ArgumentException($"{RabbitMqVariable}: '{Redact(value)}' is not an amqp://user:password@host:port/vhost URI");
        return uri;
    }

    private static (string User, string Password) Credentials(Uri uri)
    {
        if (uri.UserInfo.Length == 0)
            return ("guest", "guest");
        var parts = uri.UserInfo.Split(':', 2);
        return (Uri.UnescapeDataString(parts[0]), parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : "");
    }

    /// <summary>The URI without its password, for logs and errors.</summary>
    public static string Redact(string value)
        => Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.UserInfo.Contains(':')
            ? value.Replace(uri.UserInfo, uri.UserInfo.Split(':')[0] + ":***", StringComparison.Ordinal)
            : value;
}
