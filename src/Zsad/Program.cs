using Zsad.Cli.Commands;

namespace Zsad.Cli;

/// <summary>The `zsad` command. Each verb lives in Commands/; errors end as one line on stderr and exit code 1
/// (2 for usage errors).</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        try
        {
            return args switch
            {
                ["dicom", "dump", .. var rest] => DicomCommands.Dump(new CommandArgs(rest, "json")),
                ["dicom", "convert", .. var rest] => DicomCommands.Convert(new CommandArgs(rest)),
                ["demo", .. var rest] => DemoCommand.Run(new CommandArgs(rest)),
                ["echo", .. var rest] => NetworkCommands.Echo(new CommandArgs(rest, "tls")),
                ["store", .. var rest] => NetworkCommands.Store(new CommandArgs(rest, "tls")),
                ["scp", .. var rest] => NetworkCommands.Scp(new CommandArgs(rest, "no-fsync")),
                ["--version"] => Version(),
                _ => Usage(),
            };
        }
        catch (UsageException ex)
        {
            Console.Error.WriteLine($"zsad: {ex.Message}");
            return 2;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Console.Error.WriteLine($"zsad: {ex.GetType().Name}: {ex.Message}");
            return 1;
        }
    }

    private static int Version()
    {
        Console.WriteLine($"zsad {typeof(Program).Assembly.GetName().Version}");
        return 0;
    }

    private static int Usage()
    {
        Console.Error.WriteLine("""
            usage: zsad <command>
              demo [--out DIR]                                  synthetic MR series through every transfer syntax
              dicom dump FILE [--json]                          dump a DICOM file (DICOM JSON model with --json)
              dicom convert IN OUT --ts implicit|explicit|deflated|big|rle|<UID>
              echo --host H --port P --aec AE [--aet AE]        C-ECHO a DICOM peer
              store --host H --port P --aec AE [--aet AE] PATH...
                                                                C-STORE files and folders (recursive)
              scp --port P --aet AE --out DIR [--allow-calling AE,...] [--bind IP] [--no-fsync]
                                                                storage SCP writing <SOPInstanceUID>.dcm until SIGINT/SIGTERM
              (echo/store/scp take --tls-cert F [--tls-key F] [--tls-password P] [--tls-trust F] for DICOM TLS)
            """);
        return 2;
    }
}
