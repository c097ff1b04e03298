namespace Zsad.Imaging.Nifti;

/// <summary>What the qform or sform coordinates mean (nifti1.h NIFTI_XFORM_*); 0 means the transform is absent.</summary>
public enum NiftiXformCode
{
    Unknown = 0,
    ScannerAnatomical = 1,
    AlignedAnatomical = 2,
    Talairach = 3,
    Mni152 = 4,
    TemplateOther = 5,
}
