using Zsad.Inference.Tests.Heads;

namespace Zsad.Inference.Tests.Memory;

/// <summary>The zero-shot cases of tools/export/parity.py whose heads take a memory bank (VAND, MVFA, WinCLIP): tiny
/// random-weight CLIP-shaped bundles. Random weights: these tests prove the bank's plumbing, never detection quality.</summary>
public sealed class FewShotParityFixture() : ParityFixture("vand,mvfa,winclip")
{
    public string Bundle(string method = "vand") => Path.Combine(CaseDir(method), "bundle");
}
