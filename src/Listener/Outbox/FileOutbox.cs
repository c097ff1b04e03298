using Zsad.Dicom.IO;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Zsad.Contracts;
using Zsad.Listener.Storage;

namespace Zsad.Listener.Outbox;

/// <summary>Messages are written here before anything is published: pending/&lt;message id&gt;.json until the broker took
/// it, then moved to sent/. A message id present in either folder is never enqueued again, which is what makes a
/// series publish once even when it is processed again after a crash.</summary>
public sealed class FileOutbox
{
    private readonly bool _flushToDisk;
    private readonly SemaphoreSlim _signal = new(0);

    public FileOutbox(string root, bool flushToDisk = true)
    {
        Root = Path.GetFullPath(root);
        _flushToDisk = flushToDisk;
        Directory.CreateDirectory(PendingDirectory);
        Directory.CreateDirectory(SentDirectory);
    }

    public string Root { get; }
    public string PendingDirectory => Path.Combine(Root, "pending");
    public string SentDirectory => Path.Combine(Root, "sent");

    /// <summary>Durably records the message; false when this message id was enqueued before.</summary>
    public bool Enqueue<T>(Guid messageId, T message) where T : class
    {
        var name = messageId.ToString("N") + ".json";
        if (File.Exists(Path.Combine(PendingDirectory, name)) || File.Exists(Path.Combine(SentDirectory, name)))
            return false;
        var entry = new OutboxEntry(messageId, typeof(T).FullName!, DateTimeOffset.UtcNow, JsonSerializer.SerializeToElement(message, ContractInfo<T>()));
        DurableFile.Write(Path.Combine(PendingDirectory, name), JsonSerializer.SerializeToUtf8Bytes(entry, ListenerJsonContext.Default.OutboxEntry), _flushToDisk);
        _signal.Release();
        return true;
    }

    /// <summary>Pending messages, oldest first.</summary>
    public IReadOnlyList<OutboxEntry> Pending() => Read(PendingDirectory);

    public IReadOnlyList<OutboxEntry> Sent() => Read(SentDirectory);

    public void MarkSent(Guid messageId)
    {
        var name = messageId.ToString("N") + ".json";
        File.Move(Path.Combine(PendingDirectory, name), Path.Combine(SentDirectory, name), overwrite: true);
    }

    /// <summary>Waits until something is enqueued or the timeout passes.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        await _signal.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        while (_signal.CurrentCount > 0 && _signal.Wait(0))
        {
            // drain: one wake-up handles every message already on disk
        }
    }

    /// <summary>Turns an entry back into its contract object.</summary>
    public static (object Message, Type Type) Materialize(OutboxEntry entry)
    {
        var info = Contracts.FirstOrDefault(c => c.Type.FullName == entry.MessageType)
            ?? throw new InvalidDataException($"outbox message {entry.MessageId} has type '{entry.MessageType}', which is not a Zsad contract");
        var message = entry.Message.Deserialize(info)
            ?? throw new InvalidDataException($"outbox message {entry.MessageId} is empty");
        return (message, info.Type);
    }

    /// <summary>The bus contracts an outbox carries, looked up by the type name each entry records.</summary>
    private static readonly JsonTypeInfo[] Contracts = [ListenerJsonContext.Default.VolumeReady, ListenerJsonContext.Default.AnomalyMapReady];

    private static JsonTypeInfo<T> ContractInfo<T>() => Contracts.FirstOrDefault(c => c.Type == typeof(T)) as JsonTypeInfo<T>
        ?? throw new ArgumentException($"{typeof(T).FullName} is not a Zsad bus contract the outbox knows");

    private static List<OutboxEntry> Read(string directory)
    {
        var entries = new List<OutboxEntry>();
        foreach (var path in Directory.EnumerateFiles(directory, "*.json"))
        {
            if (DurableFile.IsTemporary(path))
                continue;
            try
            {
                entries.Add(JsonSerializer.Deserialize(File.ReadAllBytes(path), ListenerJsonContext.Default.OutboxEntry)!);
            }
            catch (FileNotFoundException)
            {
                // moved to sent/ between listing and reading
            }
        }
        entries.Sort((a, b) => a.EnqueuedAt.CompareTo(b.EnqueuedAt));
        return entries;
    }
}
