using System.Globalization;
using System.Text;

namespace Zsad.Cli.Commands;

/// <summary>A command-line usage error: one line on stderr naming the command, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>One option: --<paramref name="Name"/> VALUE, or a boolean switch when <paramref name="Value"/> is null.
/// <paramref name="Default"/> is what the command gets when the option is absent, and what its usage shows.</summary>
public sealed record OptionSpec(string Name, string? Value, string Description, string? Default = null, bool Required = false)
{
    public bool IsSwitch => Value is null;
}

/// <summary>A positional argument; a variadic one (PATH...) takes every remaining argument and must be last.</summary>
public sealed record PositionalSpec(string Name, string Description, bool Variadic = false, bool Optional = false);

/// <summary>One command ("models build-memory"): the single definition its parser and its usage are made from.</summary>
public sealed record CommandSpec(string Path, string Summary, IReadOnlyList<OptionSpec> Options, Func<CommandArgs, int> Run)
{
    public IReadOnlyList<PositionalSpec> Positionals { get; init; } = [];

    /// <summary>More lines under the options in the usage (how settings layer, alternative forms).</summary>
    public string? Notes { get; init; }

    public OptionSpec? Find(string name) => Options.FirstOrDefault(o => o.Name == name);
}

/// <summary>Parses arguments against a <see cref="CommandSpec"/> table, prints usages, runs the matched command.
/// `--help`/`-h` anywhere (before `--`) and `help [COMMAND]` print usage on stdout and exit 0; an unknown, missing or
/// malformed argument (a <see cref="UsageException"/> or a handler's <see cref="ArgumentException"/>) is one line on
/// stderr and exit 2.</summary>
public static class CommandLine
{
    public const string Program = "zsad";

    public static int Run(IReadOnlyList<CommandSpec> commands, IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Count == 0)
            return Fail(stderr, Program, $"no command given (see {Program} --help)");
        if (args[0] is "help" or "--help" or "-h")
        {
            var topic = args[0] == "help" ? args.Skip(1).ToList() : [];
            if (topic.Count == 0)
            {
                stdout.Write(Overview(commands));
                return 0;
            }
            if (commands.FirstOrDefault(c => c.Path == string.Join(' ', topic)) is { } named)
            {
                stdout.Write(Usage(named));
                return 0;
            }
            if (topic.Count == 1 && GroupOf(commands, topic[0]) is { Count: > 0 } members)
            {
                stdout.Write(GroupUsage(topic[0], members));
                return 0;
            }
            return Fail(stderr, Program, $"unknown command '{string.Join(' ', topic)}' (see {Program} help)");
        }

        var command = commands.Where(c => Matches(c, args)).MaxBy(c => c.Path.Length);
        if (command is null)
        {
            var group = GroupOf(commands, args[0]);
            if (group.Count == 0)
                return Fail(stderr, Program, $"unknown command '{args[0]}' (see {Program} help)");
            if (args.Count > 1 && args[1] is "--help" or "-h")
            {
                stdout.Write(GroupUsage(args[0], group));
                return 0;
            }
            var names = string.Join(", ", group.Select(c => c.Path[(args[0].Length + 1)..]));
            return Fail(stderr, Program, args.Count == 1 ? $"{args[0]} needs a command: {names} (see {Program} help {args[0]})"
                : $"unknown command '{args[0]} {args[1]}' (see {Program} help {args[0]})");
        }

        var rest = args.Skip(command.Path.Split(' ').Length).ToList();
        var where = $"{Program} {command.Path}";
        try
        {
            if (CommandArgs.AsksForHelp(rest))
            {
                stdout.Write(Usage(command));
                return 0;
            }
            return command.Run(CommandArgs.Parse(command, rest));
        }
        catch (UsageException ex)
        {
            return Fail(stderr, where, $"{ex.Message} (see {where} --help)");
        }
        catch (ArgumentException ex) when (ex.GetType() == typeof(ArgumentException))
        {
            // The handlers' way of refusing a value they were given (--threshold 'x' is not a number): a usage error
            // too. Its subclasses (null, out of range) are left to mean bugs.
            return Fail(stderr, where, $"{ex.Message} (see {where} --help)");
        }
    }

    private static bool Matches(CommandSpec command, IReadOnlyList<string> args)
    {
        var words = command.Path.Split(' ');
        return words.Length <= args.Count && words.Select((w, i) => args[i] == w).All(x => x);
    }

    /// <summary>The commands under a first word that has sub-commands ("dicom" -> dicom dump, dicom convert).</summary>
    private static List<CommandSpec> GroupOf(IReadOnlyList<CommandSpec> commands, string word)
        => commands.Where(c => c.Path.StartsWith(word + " ", StringComparison.Ordinal)).ToList();

    private static int Fail(TextWriter stderr, string where, string message)
    {
        // One line, always: a message that carries a newline (an inner exception's) is folded.
        stderr.WriteLine($"{where}: {message.ReplaceLineEndings(" ")}");
        return 2;
    }

    public static string Overview(IReadOnlyList<CommandSpec> commands)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"usage: {Program} COMMAND [ARGUMENTS] [OPTIONS]");
        text.AppendLine(CultureInfo.InvariantCulture, $"       {Program} help COMMAND     (or {Program} COMMAND --help) the command's arguments and options");
        text.AppendLine(CultureInfo.InvariantCulture, $"       {Program} --version");
        text.AppendLine();
        text.AppendLine("commands:");
        AppendTable(text, commands.Select(c => (c.Path, c.Summary)));
        return text.ToString();
    }

    private static string GroupUsage(string group, IReadOnlyList<CommandSpec> members)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"usage: {Program} {group} COMMAND ...   ({Program} help {group} COMMAND for its options)");
        text.AppendLine();
        text.AppendLine("commands:");
        AppendTable(text, members.Select(c => (c.Path, c.Summary)));
        return text.ToString();
    }

    public static string Usage(CommandSpec command)
    {
        var synopsis = new List<string> { $"usage: {Program} {command.Path}" };
        synopsis.AddRange(command.Options.Where(o => o.Required).Select(o => $"--{o.Name} {o.Value}"));
        synopsis.AddRange(command.Positionals.Select(p => (p.Optional ? "[" : "") + p.Name + (p.Variadic ? "..." : "") + (p.Optional ? "]" : "")));
        if (command.Options.Any(o => !o.Required))
            synopsis.Add("[OPTIONS]");
        var text = new StringBuilder();
        text.AppendLine(string.Join(' ', synopsis));
        text.AppendLine();
        text.AppendLine(command.Summary);
        if (command.Positionals.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("arguments:");
            AppendTable(text, command.Positionals.Select(p => (p.Name + (p.Variadic ? "..." : ""), p.Description)));
        }
        text.AppendLine();
        text.AppendLine("options:");
        AppendTable(text, command.Options.Select(o => ($"--{o.Name}{(o.IsSwitch ? "" : " " + o.Value)}",
            o.Description + (o.Required ? " (required)" : "") + (o.Default is { } d ? $" (default: {(d.Length == 0 ? "\"\"" : d)})" : ""))));
        AppendTable(text, [("-h, --help", "print this usage")]);
        if (command.Notes is { } notes)
        {
            text.AppendLine();
            text.AppendLine(notes);
        }
        return text.ToString();
    }

    private static void AppendTable(StringBuilder text, IEnumerable<(string Left, string Right)> rows)
    {
        const int column = 32;
        foreach (var (left, right) in rows)
        {
            if (left.Length < column - 2)
                text.AppendLine(CultureInfo.InvariantCulture, $"  {left.PadRight(column - 2)}{right}");
            else
                text.AppendLine(CultureInfo.InvariantCulture, $"  {left}\n  {new string(' ', column - 2)}{right}");
        }
    }
}

/// <summary>The parsed arguments of one command: only the options its <see cref="CommandSpec"/> declares exist, with
/// their defaults filled in.</summary>
public sealed class CommandArgs
{
    private readonly CommandSpec _command;
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly List<string> _given = [];
    private readonly List<string> _positional = [];

    private CommandArgs(CommandSpec command) => _command = command;

    /// <summary>True when -h or --help appears among the options (a value after `--` is not an option).</summary>
    public static bool AsksForHelp(IReadOnlyList<string> args)
        => args.TakeWhile(a => a != "--").Any(a => a is "-h" or "--help");

    /// <summary>Accepts `--name value`, `--name=value`, `--switch`, positionals anywhere and `--` before positionals
    /// that start with a dash. A value option always takes the next argument, whatever it looks like.</summary>
    public static CommandArgs Parse(CommandSpec command, IReadOnlyList<string> args)
    {
        var parsed = new CommandArgs(command);
        var optionsEnded = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (optionsEnded || arg.Length < 2 || arg[0] != '-')
            {
                parsed._positional.Add(arg);
                continue;
            }
            if (arg == "--")
            {
                optionsEnded = true;
                continue;
            }
            var eq = arg.IndexOf('=');
            var name = arg.StartsWith("--", StringComparison.Ordinal) ? (eq > 0 ? arg[2..eq] : arg[2..]) : arg;
            var option = command.Find(name) ?? throw new UsageException($"unknown option '{(eq > 0 ? arg[..eq] : arg)}'");
            string value;
            if (option.IsSwitch)
            {
                if (eq > 0)
                    throw new UsageException($"--{name} takes no value");
                value = "true";
            }
            else if (eq > 0)
                value = arg[(eq + 1)..];
            else if (i + 1 < args.Count)
                value = args[++i];
            else
                throw new UsageException($"--{name} needs a value ({option.Value})");
            parsed._values[name] = value;
            parsed._given.Remove(name);
            parsed._given.Add(name);
        }
        foreach (var option in command.Options)
        {
            if (option.Required && !parsed._values.ContainsKey(option.Name))
                throw new UsageException($"--{option.Name} {option.Value} is required");
            if (option.Default is { } d)
                parsed._values.TryAdd(option.Name, d);
        }
        var fixedCount = command.Positionals.Count(p => !p.Variadic);
        var required = command.Positionals.Where(p => !p.Optional).ToList();
        if (parsed._positional.Count < required.Count)
            throw new UsageException($"missing {required[parsed._positional.Count].Name}");
        if (parsed._positional.Count > fixedCount && !command.Positionals.Any(p => p.Variadic))
            throw new UsageException($"unexpected argument '{parsed._positional[fixedCount]}'");
        return parsed;
    }

    public IReadOnlyList<string> Positional => _positional;

    /// <summary>The options the user gave, in the order given, as `--name value` / `--switch` arguments.</summary>
    public IReadOnlyList<string> GivenArguments()
        => _given.SelectMany(n => Declared(n).IsSwitch ? new[] { "--" + n } : ["--" + n, _values[n]]).ToList();

    public bool Flag(string name) => Declared(name).IsSwitch && _values.ContainsKey(name);

    /// <summary>The value given, else the declared default, else null.</summary>
    public string? Option(string name) => Declared(name) is { IsSwitch: false } && _values.TryGetValue(name, out var v) ? v : null;

    public string RequiredOption(string name) => Option(name) ?? throw new UsageException($"--{name} is required");

    public int IntOption(string name) => Option(name) is { } v ? Int(name, v) : throw new UsageException($"--{name} is required");

    public double NumberOption(string name) => Option(name) is { } v
        ? double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) && double.IsFinite(x) ? x
            : throw new UsageException($"--{name} expects a number, got '{v}'")
        : throw new UsageException($"--{name} is required");

    public string Positional1(string what) => _positional.Count >= 1 ? _positional[0] : throw new UsageException($"missing {what}");

    private static int Int(string name, string v)
        => int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : throw new UsageException($"--{name} expects an integer, got '{v}'");

    /// <summary>A handler reading an option its command does not declare is a bug in the table, not user error.</summary>
    private OptionSpec Declared(string name)
        => _command.Find(name) ?? throw new InvalidOperationException($"'{_command.Path}' reads --{name}, which its definition does not declare");
}
