using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Zsad.Host.Observability;

/// <summary>A small Kestrel server with /health (readiness: 200 or 503 with the checks as JSON), /health/live (200
/// while the process serves) and /metrics (Prometheus text). Built from the empty builder so nothing from the
/// environment (ASPNETCORE_*, appsettings Kestrel sections) opens other ports.</summary>
public sealed class HealthEndpoint(ZsadService service, IPAddress bind, int port) : IAsyncDisposable
{
    private WebApplication? _app;

    public int Port { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(bind, port));
        builder.Services.AddRoutingCore();
        var app = builder.Build();
        app.MapGet("/health", (HttpContext context) =>
        {
            var report = HealthReport.For(service);
            context.Response.StatusCode = report.Ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync(JsonSerializer.Serialize(report, HostJsonContext.Default.HealthReport));
        });
        // RequestDelegate handlers only: the Delegate overloads bind parameters by reflection, which trimming breaks.
        app.MapGet("/health/live", (HttpContext context) =>
        {
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync("{\"live\":true}");
        });
        app.MapGet("/metrics", (HttpContext context) =>
        {
            context.Response.ContentType = "text/plain; version=0.0.4";
            return context.Response.WriteAsync(service.Metrics.Render());
        });
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Port = new Uri(address).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is null)
            return;
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
            await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _app = null;
    }
}
