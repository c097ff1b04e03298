namespace Zsad.Imaging.Synthetic;

/// <summary>One synthetic "subject" made from a template brain: a smooth random deformation, an isotropic scale,
/// an optional left-right flip, a gamma curve, a smooth multiplicative bias field and Gaussian noise.</summary>
public sealed record BrainTransform(int Seed, bool FlipLeftRight = false, double Scale = 1, double DeformMm = 3, double Gamma = 1,
    double BiasAmplitude = 0.05, double NoiseFraction = 0.01);
