using Zsad.Cli;
using Zsad.Cli.Commands;
using Zsad.Dicom.Tests.Support;
using Zsad.Host.Configuration;

namespace Zsad.Dicom.Tests;

/// <summary>`zsad --help`, `zsad COMMAND --help|-h`, `zsad help COMMAND` and bad options, for every command of the
/// table: help is stdout and exit 0, a usage error is exactly one stderr line and exit 2.</summary>
public class CommandUsageTests
{
    private sealed record Outcome(int ExitCode, string StdOut, string StdErr)
    {
        public string[] ErrorLines => StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private static Outcome Zsad(params string[] args)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var code = Program.Run(args, stdout, stderr);
        return new Outcome(code, stdout.ToString(), stderr.ToString());
    }

    public static TheoryData<string> CommandPaths() => [.. Program.Commands.Select(c => c.Path)];

    private static CommandSpec Command(string path) => Program.Commands.Single(c => c.Path == path);

    [Theory]
    [MemberData(nameof(CommandPaths))]
    public void HelpForms_PrintTheUsageNamingEveryOptionAndDefault_OnStdout_ExitZero(string path)
    {
        var words = path.Split(' ');
        string[][] forms = [[.. words, "--help"], [.. words, "-h"], ["help", .. words], [.. words, "--no-such-option", "--help"]];
        foreach (var form in forms)
        {
            var r = Zsad(form);
            var shown = string.Join(' ', form);
            Assert.True(r.ExitCode == 0, $"zsad {shown}: exit {r.ExitCode}, stderr {r.StdErr}");
            Assert.Equal("", r.StdErr);
            Assert.StartsWith($"usage: zsad {path}", r.StdOut);
            foreach (var option in Command(path).Options)
            {
                Assert.Contains($"--{option.Name}{(option.IsSwitch ? "" : " " + option.Value)}", r.StdOut);
                if (option.Default is { } d)
                    Assert.Contains($"(default: {d})", r.StdOut);
            }
            foreach (var positional in Command(path).Positionals)
                Assert.Contains(positional.Name, r.StdOut);
        }
    }

    [Theory]
    [MemberData(nameof(CommandPaths))]
    public void AnUnknownOption_IsOneStderrLine_NamingItAndTheHelp_ExitTwo(string path)
    {
        var r = Zsad([.. path.Split(' '), "--no-such-option", "1"]);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.StdOut);
        var line = Assert.Single(r.ErrorLines);
        Assert.Equal($"zsad {path}: unknown option '--no-such-option' (see zsad {path} --help)", line);
    }

    [Theory]
    [MemberData(nameof(CommandPaths))]
    public void AMissingRequiredArgument_IsOneStderrLine_ExitTwo(string path)
    {
        var command = Command(path);
        var required = command.Options.FirstOrDefault(o => o.Required);
        var positional = command.Positionals.FirstOrDefault(p => !p.Optional);
        if (required is null && positional is null)
            return; // nothing is required: covered by the other theories
        var r = Zsad(path.Split(' '));
        Assert.Equal(2, r.ExitCode);
        var line = Assert.Single(r.ErrorLines);
        Assert.StartsWith($"zsad {path}: ", line);
        Assert.Contains(required is not null ? $"--{required.Name} {required.Value} is required" : $"missing {positional!.Name}", line);
    }

    [Fact]
    public void TopLevelHelp_ListsEveryCommand_ExitZero()
    {
        string[][] forms = [["--help"], ["-h"], ["help"]];
        foreach (var form in forms)
        {
            var r = Zsad(form);
            Assert.Equal(0, r.ExitCode);
            Assert.Equal("", r.StdErr);
            Assert.Contains("zsad help COMMAND", r.StdOut);
            foreach (var command in Program.Commands)
                Assert.Contains($"  {command.Path} ", r.StdOut);
        }
    }

    [Fact]
    public void GroupHelp_ListsItsSubCommands_ExitZero()
    {
        string[][] forms = [["dicom", "--help"], ["models", "-h"], ["help", "models"]];
        foreach (var form in forms)
        {
            var r = Zsad(form);
            Assert.Equal(0, r.ExitCode);
            var group = form.First(w => w is "dicom" or "models");
            foreach (var command in Program.Commands.Where(c => c.Path.StartsWith(group + " ", StringComparison.Ordinal)))
                Assert.Contains(command.Path, r.StdOut);
        }
    }

    [Theory]
    [InlineData("zsad: no command given (see zsad --help)")]
    [InlineData("zsad: unknown command 'frobnicate' (see zsad help)", "frobnicate")]
    [InlineData("zsad: unknown command 'frobnicate' (see zsad help)", "help", "frobnicate")]
    [InlineData("zsad: dicom needs a command: dump, convert (see zsad help dicom)", "dicom")]
    [InlineData("zsad: unknown command 'models frob' (see zsad help models)", "models", "frob")]
    [InlineData("zsad dicom dump: unexpected argument 'b' (see zsad dicom dump --help)", "dicom", "dump", "a", "b")]
    [InlineData("zsad infer: --out needs a value (MAP.nii.gz) (see zsad infer --help)", "infer", "--input", "v.nii.gz", "--out")]
    [InlineData("zsad export: --retry takes no value (see zsad export --help)", "export", "--retry=yes")]
    [InlineData("zsad train: --lr expects a number, got 'fast' (see zsad train --help)", "train", "--bundle", "b", "--data", "d", "--out", "o", "--lr", "fast")]
    [InlineData("zsad demo: --seed expects an integer, got 'x' (see zsad demo --help)", "demo", "--seed", "x")]
    [InlineData("zsad evaluate: --threshold 'abc' is not a number (see zsad evaluate --help)", "evaluate", "--pred", "p", "--truth", "t", "--out", "o", "--threshold", "abc")]
    [InlineData("zsad models build-memory: --slice-step: 'two' is not a whole number (see zsad models build-memory --help)",
        "models", "build-memory", "--detector", "resnet18-memory", "--normals", "n", "--out", "o", "--slice-step", "two")]
    [InlineData("zsad models build-memory: the delineation fraction must be 0 (off) or more and below 1, not 1.5 (see zsad models build-memory --help)",
        "models", "build-memory", "--detector", "resnet18-memory", "--normals", "n", "--out", "o", "--delineation", "1.5")]
    [InlineData("zsad models build-memory: the core quantile must be 0 (off) or more and below 1, not 1 (see zsad models build-memory --help)",
        "models", "build-memory", "--detector", "resnet18-memory", "--normals", "n", "--out", "o", "--core-quantile", "1")]
    [InlineData("zsad models build-memory: the false findings per healthy scan must be a finite number of 0 or more, not -1 (see zsad models build-memory --help)",
        "models", "build-memory", "--detector", "resnet18-memory", "--normals", "n", "--out", "o", "--false-findings", "-1")]
    public void BadCommandLines_AreOneStderrLine_ExitTwo(string expected, params string[] args)
    {
        var r = Zsad(args);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.StdOut);
        Assert.Equal(expected, Assert.Single(r.ErrorLines));
    }

    [Fact]
    public void Parse_TakesEqualsForms_FillsDefaults_AndKeepsWhatWasGiven()
    {
        var spec = new CommandSpec("t", "test", [new("a", "A", "a", Default: "1"), new("b", "B", "b"), new("s", null, "switch")], _ => 0)
        {
            Positionals = [new("P", "paths", Variadic: true, Optional: true)],
        };
        var args = CommandArgs.Parse(spec, ["x", "--b=-3", "--s", "--", "--not-an-option"]);
        Assert.Equal("1", args.Option("a"));
        Assert.Equal("-3", args.Option("b"));
        Assert.True(args.Flag("s"));
        Assert.Equal(["x", "--not-an-option"], args.Positional);
        Assert.Equal(["--b", "-3", "--s"], args.GivenArguments()); // the default of --a is not passed on as if given
        Assert.Throws<InvalidOperationException>(() => args.Option("undeclared"));
    }

    [Fact]
    public void ServeUsage_ShowsTheBuiltInDefaultsOfZsadOptions()
    {
        var usage = Zsad("serve", "--help").StdOut;
        var defaults = new ZsadOptions();
        Assert.Contains($"--port PORT", usage);
        Assert.Matches($@"--port PORT .*\(default: {defaults.Listener.Port}\)", usage);
        Assert.Matches($@"--data DIR .*\(default: {defaults.DataDirectory}\)", usage);
        Assert.Matches($@"--http-port PORT .*\(default: {defaults.Http.Port}\)", usage);
        foreach (var flag in ZsadConfiguration.ServeFlags)
            Assert.Contains($"--{flag.Name}", usage);
    }

    [Fact]
    public void Serve_AnAbsentFlag_LeavesTheConfigurationFileInForce()
    {
        // The table's defaults are for the usage only: were they passed on as flags, they would override the file.
        using var dir = new TempDir();
        File.WriteAllText(dir.File("zsad.json"), """{ "Zsad": { "DataDirectory": "d", "Listener": { "QuietSeconds": 0 } } }""");
        var r = Zsad("serve", "--config", dir.File("zsad.json"));
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("zsad: configuration Zsad:Listener:QuietSeconds:", Assert.Single(r.ErrorLines));
    }
}

/// <summary>The same conventions seen from outside: a separate process, as scripts and completion generators probe it.</summary>
public class CommandUsageProcessTests
{
    private static Peers.Result Zsad(params string[] args)
        => Peers.Run("dotnet", [Path.Combine(AppContext.BaseDirectory, "zsad.dll"), .. args]);

    [Fact]
    public void HelpAndVersion_ExitZero_BadOption_ExitsTwoWithOneLine()
    {
        var help = Zsad("--help");
        Assert.Equal(0, help.ExitCode);
        Assert.StartsWith("usage: zsad COMMAND", help.StdOut);
        var train = Zsad("train", "--help");
        Assert.Equal(0, train.ExitCode);
        Assert.Contains("--val-fraction F", train.StdOut);
        var build = Zsad("help", "models", "build-memory");
        Assert.Equal(0, build.ExitCode);
        Assert.Contains("--max-bank-mb MB", build.StdOut);
        Assert.Equal(0, Zsad("--version").ExitCode);
        var bad = Zsad("replay", "--input", "i", "--out", "o", "--gpu");
        Assert.Equal(2, bad.ExitCode);
        Assert.Equal("zsad replay: unknown option '--gpu' (see zsad replay --help)", bad.StdErr.TrimEnd('\n'));
    }
}
