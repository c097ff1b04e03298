using System.Text.RegularExpressions;
using Zsad.Dicom;
using Zsad.Imaging;

namespace Zsad.Listener.Filtering;

/// <summary>Applies <see cref="SeriesFilterOptions"/> to the datasets of one series.</summary>
public sealed class SeriesFilter
{
    private readonly SeriesFilterOptions _options;
    private readonly Regex? _description;

    public SeriesFilter(SeriesFilterOptions options)
    {
        _options = options;
        _description = options.SeriesDescriptionPattern is { } p ? new Regex(p, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)) : null;
    }

    public FilterDecision Evaluate(IReadOnlyList<DicomDataset> instances)
    {
        if (instances.Count == 0)
            return FilterDecision.Reject("the series has no instances");
        var first = instances[0];
        var modality = first.GetString(DicomTags.Modality) ?? "";
        if (_options.Modalities.Count > 0 && !_options.Modalities.Contains(modality, StringComparer.OrdinalIgnoreCase))
            return FilterDecision.Reject($"modality '{modality}' is not one of {string.Join(", ", _options.Modalities)}");
        if (_options.SopClasses.Count > 0)
        {
            foreach (var ds in instances)
            {
                var sopClass = ds.GetString(DicomTags.SOPClassUID) ?? "";
                if (!_options.SopClasses.Contains(sopClass))
                    return FilterDecision.Reject($"SOP class {sopClass} is not accepted");
            }
        }
        if (_options.ExcludedImageTypes.Count > 0)
        {
            foreach (var ds in instances)
            {
                foreach (var value in ds.GetStrings(DicomTags.ImageType))
                {
                    if (_options.ExcludedImageTypes.Contains(value.Trim(), StringComparer.OrdinalIgnoreCase))
                        return FilterDecision.Reject($"ImageType holds {value.Trim()}, which is excluded");
                }
            }
        }
        if (_description is not null)
        {
            var description = first.GetString(DicomTags.SeriesDescription) ?? "";
            if (!_description.IsMatch(description))
                return FilterDecision.Reject($"series description does not match '{_options.SeriesDescriptionPattern}'");
        }
        if (_options.Orientations.Count > 0)
        {
            var plane = PlaneOf(first);
            if (plane is null)
                return FilterDecision.Reject("the series has no ImageOrientationPatient, so its plane cannot be checked");
            if (!_options.Orientations.Contains(plane.Value))
                return FilterDecision.Reject($"plane {plane} is not one of {string.Join(", ", _options.Orientations)}");
        }
        return FilterDecision.Accept;
    }

    /// <summary>The plane the slices lie in, from the largest component of the slice normal; for Enhanced objects the
    /// orientation is read from the shared functional groups, else the first frame's.</summary>
    public static AnatomicalPlane? PlaneOf(DicomDataset dataset)
    {
        var iop = dataset.GetDoubles(DicomTags.ImageOrientationPatient);
        if (iop.Length != 6)
        {
            foreach (var groups in new[] { DicomTags.SharedFunctionalGroupsSequence, DicomTags.PerFrameFunctionalGroupsSequence })
            {
                if (dataset.GetItems(groups) is [var item, ..] && item.GetItems(DicomTags.PlaneOrientationSequence) is [var plane, ..])
                {
                    iop = plane.GetDoubles(DicomTags.ImageOrientationPatient);
                    if (iop.Length == 6)
                        break;
                }
            }
        }
        if (iop.Length != 6)
            return null;
        var row = new Vec3(iop[0], iop[1], iop[2]);
        var column = new Vec3(iop[3], iop[4], iop[5]);
        var n = row.Cross(column);
        double x = Math.Abs(n.X), y = Math.Abs(n.Y), z = Math.Abs(n.Z);
        return z >= x && z >= y ? AnatomicalPlane.Axial : y >= x ? AnatomicalPlane.Coronal : AnatomicalPlane.Sagittal;
    }
}
