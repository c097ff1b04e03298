using System.Globalization;
using System.Text;
using Zsad.Dicom;
using Zsad.Dicom.Json;

namespace Zsad.Cli.Commands;

/// <summary>`zsad dicom dump|convert`: inspect and rewrite Part 10 files.</summary>
public static class DicomCommands
{
    public static int Dump(CommandArgs args)
    {
        var path = args.Positional1("FILE");
        var file = DicomFile.Open(path);
        if (!file.Dataset.CharacterSet.IsSupported)
            Console.Error.WriteLine($"zsad: warning: character set '{file.Dataset.CharacterSet.Term}' is not supported; its text is shown byte for byte");
        if (args.Flag("json"))
        {
            Console.Out.WriteLine(DicomJsonWriter.Serialize(file.Dataset, bytewiseUnsupportedText: true));
            return 0;
        }
        var text = new StringBuilder();
        text.AppendLine("# File Meta Information");
        DicomDumper.Append(text, file.FileMetaInformation, 0);
        text.AppendLine($"# Dataset ({file.TransferSyntax.Name})");
        DicomDumper.Append(text, file.Dataset, 0);
        Console.Out.Write(text.ToString());
        return 0;
    }

    public static int Convert(CommandArgs args)
    {
        TransferSyntax target;
        try
        {
            target = TransferSyntax.Parse(args.RequiredOption("ts"));
        }
        catch (FormatException ex)
        {
            throw new UsageException(ex.Message);
        }
        var file = DicomFile.Open(args.Positional[0]);
        file.Save(args.Positional[1], target);
        return 0;
    }
}

/// <summary>A dcmdump-like text rendering: one line per element, sequences indented.</summary>
public static class DicomDumper
{
    private const int MaxShownValues = 16;

    public static void Append(StringBuilder text, DicomDataset dataset, int depth)
    {
        var indent = new string(' ', depth * 2);
        foreach (var item in dataset)
        {
            var keyword = DicomDictionary.KeywordOf(item.Tag);
            switch (item)
            {
                case DicomSequence seq:
                    text.AppendLine(CultureInfo.InvariantCulture, $"{indent}{item.Tag} SQ ({seq.Items.Count} items) # {keyword}");
                    for (var i = 0; i < seq.Items.Count; i++)
                    {
                        text.AppendLine(CultureInfo.InvariantCulture, $"{indent}  (FFFE,E000) item {i + 1}");
                        Append(text, seq.Items[i], depth + 2);
                    }
                    break;
                case DicomFragments frags:
                    text.AppendLine(CultureInfo.InvariantCulture,
                        $"{indent}{item.Tag} OB (encapsulated: offset table {frags.OffsetTable.Length / 4} entries, {frags.Fragments.Count} fragments, {frags.Fragments.Sum(f => (long)f.Length)} bytes) # {keyword}");
                    break;
                case DicomElement e:
                    text.AppendLine(CultureInfo.InvariantCulture, $"{indent}{item.Tag} {item.VR} {Describe(e, dataset)} # {e.Length}, {keyword}");
                    break;
            }
        }
    }

    private static string Describe(DicomElement e, DicomDataset owner)
    {
        if (e.IsEmpty)
            return "(no value)";
        if (e.VR.IsString)
        {
            try
            {
                return "[" + string.Join('\\', owner.GetStrings(e.Tag)) + "]";
            }
            catch (NotSupportedException ex)
            {
                return $"<raw {Convert.ToHexString(e.Buffer.Span[..Math.Min(32, e.Length)])}: {ex.Message}>";
            }
        }
        if (e.VR == DicomVR.AT)
            return string.Join('\\', e.GetTags().Select(t => t.ToString()));
        if (e.VR.IsBulkBinary)
            return $"({e.Length} bytes) {Convert.ToHexString(e.Buffer.Span[..Math.Min(16, e.Length)])}{(e.Length > 16 ? "..." : "")}";
        var values = owner.GetDoubles(e.Tag);
        var shown = string.Join('\\', values.Take(MaxShownValues).Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
        return values.Length > MaxShownValues ? $"{shown}... ({values.Length} values)" : shown;
    }
}
