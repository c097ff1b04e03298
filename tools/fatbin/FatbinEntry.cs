namespace Zsad.Tools.Fatbin;

/// <summary>What one fatbin entry holds: machine code (an ELF cubin) or PTX.</summary>
public enum FatbinEntryKind
{
    Ptx = 1,
    Cubin = 2,
}

/// <summary>One entry of a CUDA fat binary: a cubin or PTX for one architecture (sm_XY as XY). Offsets are in
/// the whole file; the payload is <see cref="PayloadLength"/> bytes (padded) after the entry header.</summary>
public sealed record FatbinEntry(
    long HeaderOffset,
    FatbinEntryKind Kind,
    int Arch,
    long PayloadOffset,
    long PayloadLength,
    ulong Flags,
    bool Compressed)
{
    public override string ToString() =>
        $"{(Kind == FatbinEntryKind.Ptx ? "ptx" : "cubin"),-5} sm_{Arch,-4} {PayloadLength,10} bytes{(Compressed ? " compressed" : "")} at {PayloadOffset}";
}
