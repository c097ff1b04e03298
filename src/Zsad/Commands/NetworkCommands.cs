using System.Net;
using System.Runtime.InteropServices;
using Zsad.Dicom;
using Zsad.Dicom.IO;
using Zsad.Dicom.Network;

namespace Zsad.Cli.Commands;

/// <summary>`zsad echo|store|scp`: DICOM networking from the command line.</summary>
public static class NetworkCommands
{
    public static int Echo(CommandArgs args)
    {
        var client = new DicomClient(ClientOptions(args));
        var status = client.EchoAsync().GetAwaiter().GetResult();
        if (status != DicomStatus.Success)
        {
            Console.Error.WriteLine($"zsad: C-ECHO answered with status {status:X4}");
            return 1;
        }
        Console.Out.WriteLine($"C-ECHO {args.Option("aec")} at {args.Option("host")}:{args.Option("port")}: success");
        return 0;
    }

    public static int Store(CommandArgs args)
    {
        foreach (var path in args.Positional)
            if (!File.Exists(path) && !Directory.Exists(path))
                throw new UsageException($"no such file or folder: {path}");
        var client = new DicomClient(ClientOptions(args));
        var progress = new SynchronousProgress(r => Console.Out.WriteLine(r.ToString()));
        var results = client.StoreFilesAsync(args.Positional, progress).GetAwaiter().GetResult();
        var failed = results.Count(r => !r.IsStored);
        if (results.Count == 0)
        {
            Console.Error.WriteLine("zsad: no files to send");
            return 1;
        }
        if (failed > 0)
        {
            Console.Error.WriteLine($"zsad: {failed} of {results.Count} instances were not stored");
            return 1;
        }
        return 0;
    }

    public static int Scp(CommandArgs args)
    {
        var output = args.RequiredOption("out");
        var flushToDisk = !args.Flag("no-fsync");
        Part10FolderStore.CreateFolder(output, flushToDisk);
        using var unnamedFiles = UnnamedFilePool.TryCreate(output, out var refusal);
        var store = new Part10FolderStore(output, flushToDisk, unnamedFiles);
        var allowed = args.Option("allow-calling")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (allowed is { Length: 0 })
            throw new UsageException("--allow-calling needs at least one AE title");
        var bind = args.RequiredOption("bind");
        if (!IPAddress.TryParse(bind, out var address))
            throw new UsageException($"--bind expects an IP address, got '{bind}'");
        DicomServerOptions options;
        try
        {
            options = new DicomServerOptions
            {
                BindAddress = address,
                Port = Port(args),
                AETitle = args.RequiredOption("aet"),
                AllowedCallingAETitles = allowed,
                MaxAssociations = args.IntOption("max-associations"),
                MaxPduLength = (uint)args.IntOption("max-pdu"),
                Tls = Tls(args),
            };
            options.Validate();
        }
        catch (ArgumentException ex)
        {
            throw new UsageException(ex.Message);
        }

        using var stop = new CancellationTokenSource();
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true; // we exit ourselves, after the associations wind down
            stop.Cancel();
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

        var server = new DicomServer(options, store.StoreAsync);
        server.Start();
        Console.Error.WriteLine($"zsad scp: {options.AETitle} listening on {address}:{server.Port}, writing to {Path.GetFullPath(output)} "
            + (unnamedFiles is null ? $"through temporary files ({refusal})" : "through unnamed files opened ahead"));
        try
        {
            stop.Token.WaitHandle.WaitOne();
        }
        finally
        {
            server.StopAsync(TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        // allocations are the process total (start-up included): compare two runs to get a per-instance figure
        Console.Error.WriteLine($"zsad scp: stopped after {server.AssociationsAccepted} associations, {server.InstancesStored} instances stored, "
            + $"{GC.GetTotalAllocatedBytes(precise: true)} bytes allocated, {GC.CollectionCount(0)} gen0/{GC.CollectionCount(2)} gen2 collections"
            + (unnamedFiles is null ? "" : $", {unnamedFiles.Taken} unnamed files used"));
        if (GroupCommit.Shared.Statistics is { Batches: > 0 } commits)
            Console.Error.WriteLine($"zsad scp: {commits.Files} files committed in {commits.Batches} group commits ({(double)commits.Files / commits.Batches:0.00} per commit; "
                + $"per commit {commits.DataStage.TotalMilliseconds / commits.Batches:0.0} ms flushing data, {commits.NameStage.TotalMilliseconds / commits.Batches:0.0} ms flushing names)");
        return 0;
    }

    private static DicomClientOptions ClientOptions(CommandArgs args)
    {
        try
        {
            var options = new DicomClientOptions
            {
                Host = args.RequiredOption("host"),
                Port = Port(args),
                CalledAE = args.RequiredOption("aec"),
                CallingAE = args.RequiredOption("aet"),
                MaxPduLength = (uint)args.IntOption("max-pdu"),
                MaxRetries = args.IntOption("retries"),
                Tls = Tls(args),
            };
            options.Validate();
            return options;
        }
        catch (ArgumentException ex)
        {
            throw new UsageException(ex.Message);
        }
    }

    private static int Port(CommandArgs args)
    {
        var port = args.IntOption("port");
        if (port is < 1 or > 65535)
            throw new UsageException($"--port expects 1..65535, got {port}");
        return port;
    }

    private static DicomTlsOptions? Tls(CommandArgs args)
    {
        var cert = args.Option("tls-cert");
        var trust = args.Option("tls-trust");
        if (cert is null && trust is null && !args.Flag("tls"))
            return null;
        return new DicomTlsOptions { CertificatePath = cert, KeyPath = args.Option("tls-key"), Password = args.Option("tls-password"), TrustedCertificatesPath = trust };
    }

    /// <summary>Reports on the sender's thread, so lines print in order (Progress&lt;T&gt; posts to the pool).</summary>
    private sealed class SynchronousProgress(Action<StoreResult> report) : IProgress<StoreResult>
    {
        public void Report(StoreResult value) => report(value);
    }
}
