using System.Collections;
using System.Diagnostics;
using Zsad.Host.Configuration;

namespace Zsad.Host.Tests;

/// <summary>Configuration is validated at start and every failure names its key (STYLE: ValidateOnStart).</summary>
public class ConfigurationTests
{
    private static ZsadConfigurationException Bad(IDictionary environment, params string[] args)
    {
        using var dir = new TempDir();
        return Assert.Throws<ZsadConfigurationException>(() => ZsadConfiguration.Load(args, environment, dir.Path));
    }

    private static Hashtable Env(params (string Key, string Value)[] variables)
    {
        var env = new Hashtable();
        foreach (var (k, v) in variables)
            env[k] = v;
        return env;
    }

    [Fact]
    public void PortOutOfRange_FromEnvironment_NamesTheKey()
    {
        var ex = Bad(Env(("ZSAD__LISTENER__PORT", "70000")));
        Assert.Equal("Zsad:Listener:Port", ex.Key);
        Assert.Equal("configuration Zsad:Listener:Port: 70000 is not a TCP port", ex.Message);
    }

    [Fact]
    public void PortNotANumber_FromCommandLine_NamesTheKey()
    {
        var ex = Bad(Env(), "--port", "eleven");
        Assert.Equal("Zsad:Listener:Port", ex.Key);
        Assert.Contains("eleven", ex.Message);
    }

    [Fact]
    public void MisspelledKey_IsRefused()
    {
        Assert.Equal("configuration Zsad:LISTNER: is not a setting (misspelt?)", Bad(Env(("ZSAD__LISTNER__PORT", "104"))).Message);
        Assert.Equal("Zsad:Listener:Prot", Bad(Env(("ZSAD__LISTENER__PROT", "104"))).Key, ignoreCase: true);
    }

    [Fact]
    public void SingleRoleWithoutBroker_NamesRabbitMq()
    {
        var ex = Bad(Env(), "--role", "inference");
        Assert.Equal("Zsad:RabbitMq", ex.Key);
        Assert.Contains("needs a broker", ex.Message);
    }

    [Fact]
    public void ListenerFilterFlags_BecomeTheListenersFilter()
    {
        using var dir = new TempDir();
        var options = ZsadConfiguration.Load(["--modality", "MR,CT", "--sop-class", "any", "--description", "(?i)t2", "--plane", "axial,Coronal",
            "--exclude-image-type", "LOCALIZER,DERIVED", "--late", "keep"], Env(), dir.Path);
        var filter = options.Listener.Filter;
        Assert.Equal(["MR", "CT"], filter.Modalities);
        Assert.Empty(filter.SopClasses);
        Assert.Equal("(?i)t2", filter.SeriesDescriptionPattern);
        Assert.Equal([Zsad.Imaging.AnatomicalPlane.Axial, Zsad.Imaging.AnatomicalPlane.Coronal], filter.Orientations);
        Assert.Equal(["LOCALIZER", "DERIVED"], filter.ExcludedImageTypes);
        Assert.Equal(Zsad.Listener.Intake.LateInstancePolicy.Keep, options.Listener.LatePolicy);
    }

    [Fact]
    public void AllowUncalibrated_IsOffByDefault_AndSetByFlagOrEnvironment()
    {
        using var dir = new TempDir();
        Assert.False(ZsadConfiguration.Load([], Env(), dir.Path).Inference.AllowUncalibrated);
        Assert.True(ZsadConfiguration.Load(["--allow-uncalibrated"], Env(), dir.Path).Inference.AllowUncalibrated);
        Assert.True(ZsadConfiguration.Load([], Env(("ZSAD__INFERENCE__ALLOWUNCALIBRATED", "true")), dir.Path).Inference.AllowUncalibrated);
    }

    [Fact]
    public void ListenerFilterDefaults_AreTheListenersDefaults()
    {
        using var dir = new TempDir();
        var options = ZsadConfiguration.Load([], Env(), dir.Path);
        Assert.Equivalent(new Zsad.Listener.Filtering.SeriesFilterOptions(), options.Listener.Filter, strict: true);
        Assert.Equal(Zsad.Listener.Intake.LateInstancePolicy.Reprocess, options.Listener.LatePolicy);
        Assert.Empty(ZsadConfiguration.Load(["--exclude-image-type", "none"], Env(), dir.Path).Listener.Filter.ExcludedImageTypes);
    }

    [Theory]
    [InlineData("--plane", "oblique", "Zsad:Listener:Plane", "configuration Zsad:Listener:Plane: 'oblique' is not axial, coronal or sagittal")]
    [InlineData("--late", "drop", "Zsad:Listener:Late", "configuration Zsad:Listener:Late: 'drop' is not reprocess or keep")]
    [InlineData("--description", "(t2", "Zsad:Listener:Description", "configuration Zsad:Listener:Description: '(t2' is not a regular expression")]
    public void BadListenerFilter_NamesTheKey(string flag, string value, string key, string message)
    {
        var ex = Bad(Env(), flag, value);
        Assert.Equal(key, ex.Key);
        Assert.StartsWith(message, ex.Message);
    }

    [Fact]
    public void UnknownRole_NamesRole()
        => Assert.Equal("Zsad:Role", Bad(Env(), "--role", "listener,scanner").Key);

    [Fact]
    public void BadBrokerUri_NamesRabbitMq_AndHidesThePassword()
    {
        var ex = Bad(Env(("ZSAD_RABBITMQ", "http://zsad:s3cret@broker/")));
        Assert.Equal("Zsad:RabbitMq", ex.Key);
        Assert.DoesNotContain("s3cret", ex.Message);
    }

    [Theory]
    [InlineData("--threshold", "1.5", "Zsad:Reporter:Threshold")]
    [InlineData("--dest", "ORTHANC-at-pacs", "Zsad:Reporter:Destination")]
    [InlineData("--normals", "/nonexistent/normals", "Zsad:Inference:Normals")]
    [InlineData("--prefetch", "0", "Zsad:Inference:Prefetch")]
    [InlineData("--detector", "no-such-detector", "Zsad:Inference:Detector")]
    [InlineData("--http-port", "-1", "Zsad:Http:Port")]
    [InlineData("--aet", "AN-AE-TITLE-OF-20-CH", "Zsad:Listener:AETitle")]
    public void BadValue_NamesItsKey(string flag, string value, string key)
        => Assert.Equal(key, Bad(Env(), flag, value).Key);

    [Fact]
    public void CommandLine_BeatsEnvironment_BeatsAppsettings()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("appsettings.json"), """{ "Zsad": { "Listener": { "Port": 2000, "AETitle": "FROMFILE" }, "Inference": { "Prefetch": 7 } } }""");
        var env = Env(("ZSAD__LISTENER__PORT", "3000"), ("ZSAD_RABBITMQ", "amqp://guest:guest@127.0.0.1:5672/"));
        Assert.Equal(4000, ZsadConfiguration.Load(["--port", "4000"], env, dir.Path).Listener.Port);
        var fromEnv = ZsadConfiguration.Load([], env, dir.Path);
        Assert.Equal(3000, fromEnv.Listener.Port);
        Assert.Equal("FROMFILE", fromEnv.Listener.AETitle);
        Assert.Equal(7, fromEnv.Inference.Prefetch);
        Assert.Equal("amqp://guest:guest@127.0.0.1:5672/", fromEnv.RabbitMqUri);
        Assert.Null(ZsadConfiguration.Load(["--rabbitmq", ""], env, dir.Path).RabbitMqUri); // explicit embedded mode
    }

    [Fact]
    public void ViewsAndThroughPlaneSigma_FromFlagsAndAppsettings()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("appsettings.json"), """{ "Zsad": { "Inference": { "Views": "axial,sagittal", "ThroughPlaneSigma": 2.5 } } }""");
        var fromFile = ZsadConfiguration.Load([], Env(), dir.Path);
        Assert.Equal("axial,sagittal", fromFile.Inference.Views);
        Assert.Equal(2.5, fromFile.Inference.ThroughPlaneSigma);
        var fromFlags = ZsadConfiguration.Load(["--views", "coronal", "--through-plane-sigma", "4"], Env(), dir.Path);
        Assert.Equal("coronal", fromFlags.Inference.Views);
        Assert.Equal(4, fromFlags.Inference.ThroughPlaneSigma);
    }

    [Fact]
    public void BadViews_NamesTheKeyAndThePlane()
    {
        var ex = Bad(Env(), "--views", "axial,oblique");
        Assert.Equal("Zsad:Inference:Views", ex.Key);
        Assert.Equal("configuration Zsad:Inference:Views: 'oblique' is not axial, coronal or sagittal", ex.Message);
    }

    [Fact]
    public void NegativeThroughPlaneSigma_NamesTheKey()
    {
        var ex = Bad(Env(("ZSAD__INFERENCE__THROUGHPLANESIGMA", "-2")));
        Assert.Equal("Zsad:Inference:ThroughPlaneSigma", ex.Key);
        Assert.Contains("-2 is not 0 or more millimetres", ex.Message);
    }

    [Fact]
    public void BrokenAppsettings_NamesTheFile()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("zsad.json"), "{ \"Zsad\": ");
        var ex = Assert.Throws<ZsadConfigurationException>(() => ZsadConfiguration.Load(["--config", dir.File("zsad.json")], Env(), dir.Path));
        Assert.Contains("zsad.json", ex.Message);
    }

    [Fact]
    public void ZsadServe_WithBadConfiguration_ExitsAtOnce_NamingTheKey()
    {
        using var dir = new TempDir();
        var watch = Stopwatch.StartNew();
        var r = Peers.Run("dotnet", [Path.Combine(AppContext.BaseDirectory, "zsad.dll"), "serve", "--data", dir.Path, "--quiet-s", "0"], TimeSpan.FromSeconds(30));
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("zsad: configuration Zsad:Listener:QuietSeconds:", r.StdErr);
        // Process start-up included; the validation itself runs before anything is opened.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
    }
}
