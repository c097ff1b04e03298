namespace Zsad.Imaging.Filters;

/// <summary>Which neighbours join voxels into one 3D component: faces only (6) or faces, edges and corners (26).</summary>
public enum Connectivity
{
    Faces6 = 6,
    Full26 = 26,
}
