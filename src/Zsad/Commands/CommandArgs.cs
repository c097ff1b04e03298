namespace Zsad.Cli.Commands;

/// <summary>A command-line usage error: reported as one line, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>Minimal argument access: positional values, --name value (or --name=value) options, and the
/// boolean --flags the command names (which never take a value).</summary>
public sealed class CommandArgs
{
    private readonly List<string> _positional = new();
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);

    public CommandArgs(IEnumerable<string> args, params string[] booleanFlags)
    {
        var list = args.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i].StartsWith("--", StringComparison.Ordinal) && list[i].Length > 2)
            {
                var name = list[i][2..];
                var eq = name.IndexOf('=');
                if (eq > 0)
                    _options[name[..eq]] = name[(eq + 1)..];
                else if (!booleanFlags.Contains(name) && i + 1 < list.Count && !list[i + 1].StartsWith("--", StringComparison.Ordinal))
                    _options[name] = list[++i];
                else
                    _options[name] = null;
            }
            else
            {
                _positional.Add(list[i]);
            }
        }
    }

    public IReadOnlyList<string> Positional => _positional;

    public bool Flag(string name) => _options.ContainsKey(name);

    public string? Option(string name) => _options.TryGetValue(name, out var v) ? v : null;

    public string RequiredOption(string name)
        => Option(name) ?? throw new UsageException($"--{name} is required");

    public int IntOption(string name, int fallback)
    {
        var v = Option(name);
        if (v is null)
            return fallback;
        return int.TryParse(v, out var n) ? n : throw new UsageException($"--{name} expects an integer, got '{v}'");
    }

    public string Positional1(string what)
        => _positional.Count >= 1 ? _positional[0] : throw new UsageException($"missing {what}");
}
