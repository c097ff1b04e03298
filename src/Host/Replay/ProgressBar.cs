using System.Globalization;

namespace Zsad.Host.Replay;

/// <summary>One line per finished case with a text bar: readable in a terminal and in a CI log alike (no carriage
/// returns that a log would keep as garbage).</summary>
internal sealed class ProgressBar(TextWriter output, int total)
{
    private const int Width = 30;
    private int _done;

    public void Step(string what)
    {
        _done++;
        var filled = total == 0 ? Width : _done * Width / total;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{new string('#', filled)}{new string('.', Width - filled)}] {_done}/{total} {what}"));
    }
}
