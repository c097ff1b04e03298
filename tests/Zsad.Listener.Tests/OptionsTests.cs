using Zsad.Listener.Bus;
using Zsad.Listener.Filtering;
using Zsad.Listener.Storage;
using Zsad.Listener.Tests.Support;

namespace Zsad.Listener.Tests;

/// <summary>Bad configuration fails at start-up naming the key; untrusted names never escape their folders.</summary>
public sealed class OptionsTests
{
    [Fact]
    public void ABrokerUriThatIsNotAmqpNamesTheVariableAndHidesThePassword()
    {
        var options = new ListenerOptions { DataDirectory = "/tmp/x", RabbitMqUri = "http://user:secret@host/" };
        var ex = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains("ZSAD_RABBITMQ", ex.Message);
        Assert.DoesNotContain("secret", ex.Message);
    }

    [Fact]
    public void AnInvalidSeriesDescriptionPatternNamesTheKey()
    {
        var options = new ListenerOptions { DataDirectory = "/tmp/x", RabbitMqUri = null, Filter = new SeriesFilterOptions { SeriesDescriptionPattern = "(" } };
        var ex = Assert.Throws<ArgumentException>(options.Validate);
        Assert.StartsWith("Listener.Filter.SeriesDescriptionPattern", ex.Message);
    }

    [Fact]
    public void ANonPositiveQuietTimeIsRefused()
    {
        var options = new ListenerOptions { DataDirectory = "/tmp/x", RabbitMqUri = null, QuietTime = TimeSpan.Zero };
        Assert.StartsWith("Listener.QuietTime", Assert.Throws<ArgumentException>(options.Validate).Message);
    }

    [Theory]
    [InlineData("../outside")]
    [InlineData("volumes/../../etc/passwd")]
    [InlineData("/absolute")]
    [InlineData("volumes/.hidden")]
    public void BlobKeysCannotLeaveTheStore(string key)
    {
        using var tmp = new TempDir();
        var store = new FolderBlobStore(tmp.Path);
        Assert.Throws<ArgumentException>(() => store.PathFor(key));
    }

    [Fact]
    public async Task ABlobWhoseBytesChangedIsRefused()
    {
        using var tmp = new TempDir();
        var store = new FolderBlobStore(tmp.Path);
        var reference = await store.PutAsync("volumes/a/image.bin", new byte[] { 1, 2, 3 }, "application/octet-stream");
        File.WriteAllBytes(store.PathFor(reference.Key), [9, 9, 9]);
        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => store.GetAsync(reference));
        Assert.Contains("volumes/a/image.bin", ex.Message);
    }
}
