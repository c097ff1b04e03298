using Zsad.Imaging;
using Zsad.Imaging.Filters;

namespace Zsad.Inference.Detection;

/// <summary>Keeps the findings that healthy scans do not produce. At the calibrated level a healthy brain has about
/// the stated share of its voxels flagged (1e-4: some 140 voxels of an adult brain at 1 mm), in small faint findings
/// scattered over it; in a volume whose only lesion is a few millimetres across they outnumber the lesion's voxels.
/// A finding (26-connected brain voxels at or above the level, after <see cref="FindingDelineation"/>) has a mass: the
/// sum over its voxels of how far each lies above the level, in units of (level - median), times the voxel's volume
/// in mm³, the cluster mass of statistical maps (Bullmore et al., IEEE TMI 1999), which grows with a finding's height
/// and extent alike. The calibration counts the findings of the held-out normals and sets the mass a scan's finding
/// must exceed so that a stated number of false findings per healthy scan pass (<see cref="Level"/>). The level is a
/// rank among all the normals' findings, not the heaviest of them: one normal with a large false finding would set
/// that alone (held-out draw 12: every finding lighter than 33 dropped, and with them the lesions of two volumes).
/// Scores are only lowered, so the share of healthy voxels at or above the level stays at most the calibrated one.
/// Off unless asked for (<see cref="MemoryDetectorOptions.FalseFindingsPerScan"/>): it also drops lesions seen only
/// faintly or by a few voxels, and small bright ones.</summary>
public static class FindingMass
{
    /// <summary>The mass of each finding of <paramref name="raw"/> inside <paramref name="mask"/> (index = label - 1)
    /// and the labels (0 outside any finding).</summary>
    public static (double[] Masses, int[] Labels) Of(Volume<float> raw, Volume<byte> mask, double level, double median)
    {
        if (!raw.HasSameGrid(mask))
            throw new ArgumentException("the brain mask is not on the map's grid", nameof(mask));
        if (!(level > median))
            throw new ArgumentException($"the decision level {level} must lie above the median {median}");
        var data = raw.Data;
        var flagged = new byte[data.Length];
        for (var v = 0; v < data.Length; v++)
            flagged[v] = (byte)(mask.Data[v] != 0 && data[v] >= level ? 1 : 0);
        var labels = ConnectedComponents.Label(flagged, raw.SizeX, raw.SizeY, raw.SizeZ, Connectivity.Full26, out var sizes);
        var masses = new double[sizes.Length - 1];
        var unit = raw.VoxelVolumeMm3 / (level - median);
        for (var v = 0; v < data.Length; v++)
            if (labels[v] != 0)
                masses[labels[v] - 1] += (data[v] - level) * unit;
        return (masses, labels);
    }

    /// <summary>The mass a finding must exceed so that <paramref name="perScan"/> false findings per healthy scan pass:
    /// with the findings of <paramref name="normals"/> held-out normals pooled, the heaviest floor(perScan · normals)
    /// pass and the next one sets the level; 0 when the normals have no more findings than that.</summary>
    public static double Level(IEnumerable<double> normalFindingMasses, int normals, double perScan)
    {
        CheckPerScan(perScan);
        if (normals < 1)
            throw new ArgumentOutOfRangeException(nameof(normals), $"the level needs at least one normal, not {normals}");
        var heaviestFirst = normalFindingMasses.OrderDescending().ToList();
        var passing = (int)Math.Floor(perScan * normals);
        return passing < heaviestFirst.Count ? heaviestFirst[passing] : 0;
    }

    public static void CheckPerScan(double perScan)
    {
        if (!(perScan >= 0) || !double.IsFinite(perScan))
            throw new ArgumentException($"the false findings per healthy scan must be a finite number of 0 or more, not {perScan.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
    }

    /// <summary>Lowers the voxels of every finding whose mass is <paramref name="minMass"/> or less to just under the
    /// level, in place; returns how many voxels it lowered.</summary>
    public static int KeepHeavierThan(Volume<float> raw, Volume<byte> mask, double level, double median, double minMass)
    {
        var (masses, labels) = Of(raw, mask, level, median);
        var below = FindingDelineation.JustBelow(level, median);
        var lowered = 0;
        for (var v = 0; v < labels.Length; v++)
        {
            if (labels[v] == 0 || masses[labels[v] - 1] > minMass)
                continue;
            raw.Data[v] = below;
            lowered++;
        }
        return lowered;
    }
}
