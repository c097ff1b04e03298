using Microsoft.Extensions.Logging.Abstractions;
using Zsad.Imaging;
using Zsad.Imaging.Nifti;
using Zsad.Listener.Commands;
using Zsad.Listener.Intake;
using Zsad.Listener.Outbox;
using Zsad.Listener.Tests.Support;

namespace Zsad.Listener.Tests;

public sealed class ListenerCommandsTests
{
    [Fact]
    public void ServeOptionsAreParsedIntoListenerOptions()
    {
        var options = ListenerCommands.ParseServeOptions(["--data", "/tmp/zsad", "--port", "0", "--aet", "BRAIN", "--quiet-s", "2.5", "--late", "keep",
            "--modality", "MR", "--description", "(?i)t2", "--plane", "axial,sagittal", "--rabbitmq", "amqp://guest:guest@127.0.0.1:5672/", "--no-fsync"]);
        Assert.Equal("/tmp/zsad", options.DataDirectory);
        Assert.Equal(0, options.Port);
        Assert.Equal("BRAIN", options.AETitle);
        Assert.Equal(TimeSpan.FromSeconds(2.5), options.QuietTime);
        Assert.Equal(LateInstancePolicy.Keep, options.LateInstances);
        Assert.Equal(["MR"], options.Filter.Modalities);
        Assert.Equal([AnatomicalPlane.Axial, AnatomicalPlane.Sagittal], options.Filter.Orientations);
        Assert.Equal("(?i)t2", options.Filter.SeriesDescriptionPattern);
        Assert.False(options.FlushToDisk);
        Assert.NotNull(options.RabbitMqUri);
    }

    [Theory]
    [InlineData(new[] { "--port", "1" }, "--data DIR is required")]
    [InlineData(new[] { "--data", "d", "--bogus", "1" }, "unknown option '--bogus'")]
    [InlineData(new[] { "--data", "d", "--plane", "oblique" }, "--plane: 'oblique' is not axial, coronal or sagittal")]
    [InlineData(new[] { "--data", "d", "--late", "never" }, "--late: 'never' is not reprocess or keep")]
    [InlineData(new[] { "--data", "d", "--port" }, "'--port' needs a value")]
    public void BadServeOptionsNameTheOption(string[] args, string message)
        => Assert.Equal(message, Assert.Throws<ArgumentException>(() => ListenerCommands.ParseServeOptions(args)).Message);

    [Fact]
    public async Task ImportWritesTheOutboxOfTheDataDirectory()
    {
        using var tmp = new TempDir();
        var nifti = Path.Combine(tmp.Path, "case-3.nii.gz");
        NiftiWriter.Write(TestSeries.Volume(slices: 4), nifti);
        var data = tmp.Sub("data");
        var output = new StringWriter();

        Assert.Equal(0, await ListenerCommands.ImportAsync(data, [nifti], NullLoggerFactory.Instance, output, CancellationToken.None));

        Assert.Contains("Nifti case-3 24x24x4", output.ToString());
        Assert.Single(new FileOutbox(Path.Combine(data, "outbox")).Pending());
    }
}
