namespace Zsad.Tools.Fatbin;

/// <summary>The file is not an ELF64 little-endian object, has no .nv_fatbin section, or that section does not
/// parse; the message names the byte offset in the file.</summary>
public sealed class FatbinFormatException(string message) : Exception(message);
