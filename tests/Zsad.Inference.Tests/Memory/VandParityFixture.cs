using Zsad.Inference.Tests.Heads;

namespace Zsad.Inference.Tests.Memory;

/// <summary>Only the zero-shot VAND case of tools/export/parity.py: a tiny random-weight CLIP-shaped bundle whose
/// head takes a memory bank. Random weights: these tests prove the bank's plumbing, never detection quality.</summary>
public sealed class VandParityFixture() : ParityFixture("vand")
{
    public string Bundle => Path.Combine(CaseDir("vand"), "bundle");
}
