using Zsad.Imaging;
using Zsad.Imaging.Nifti;
using Zsad.Imaging.Series;

namespace Zsad.Listener.Commands;

/// <summary>`zsad volume ...` verbs that need no service running.</summary>
public static class VolumeCommands
{
    /// <summary>`zsad volume convert INPUT OUT.nii[.gz]`: INPUT a folder with one DICOM series or a NIfTI file.
    /// Returns the exit code (2 for usage errors); errors of the input surface as exceptions with their message.</summary>
    public static int Convert(IReadOnlyList<string> args, TextWriter? output = null)
    {
        output ??= Console.Out;
        if (args.Count != 2)
        {
            Console.Error.WriteLine("usage: zsad volume convert INPUT OUT.nii.gz   (INPUT: a DICOM folder with one series, or a NIfTI file)");
            return 2;
        }
        var (input, target) = (args[0], args[1]);
        Volume volume;
        if (Directory.Exists(input))
            volume = DicomSeriesReader.ReadDirectory(input).Volume;
        else if (File.Exists(input))
            volume = NiftiReader.Read(input).Volume;
        else
            throw new FileNotFoundException($"input '{input}' does not exist", input);
        NiftiWriter.Write(volume, target);
        output.WriteLine($"{target}: {volume.SizeX}x{volume.SizeY}x{volume.SizeZ} {volume.ElementType.Name} {volume.AxisCodes} spacing {volume.Spacing}");
        return 0;
    }
}
