namespace Zsad.Testing;

/// <summary>The seeded mutations the fuzz tests apply to valid DICOM files, shared so that every suite fuzzes alike.</summary>
public static class Mutations
{
    public static byte[] MutateFile(byte[] valid, Random rng)
    {
        var bytes = (byte[])valid.Clone();
        switch (rng.Next(5))
        {
            case 0: // flip random bytes, mostly in the header-dense part
                for (var k = rng.Next(1, 8); k > 0; k--)
                    bytes[rng.Next(128, Math.Min(bytes.Length, 2048))] = (byte)rng.Next(256);
                return bytes;
            case 1: // truncate
                return bytes[..rng.Next(0, bytes.Length)];
            case 2: // overwrite a 32-bit field with an extreme length
            {
                var at = rng.Next(132, bytes.Length - 4);
                BitConverter.GetBytes(rng.Next(3) switch { 0 => 0xFFFFFFFFu, 1 => 0x7FFFFFFFu, _ => (uint)rng.Next() }).CopyTo(bytes, at);
                return bytes;
            }
            case 3: // overwrite a 16-bit field (short lengths, VR bytes)
            {
                var at = rng.Next(132, Math.Min(bytes.Length - 2, 4096));
                BitConverter.GetBytes((ushort)rng.Next(65536)).CopyTo(bytes, at);
                return bytes;
            }
            default: // duplicate a slice (repeated elements, bogus nesting)
            {
                var start = rng.Next(132, bytes.Length - 16);
                var len = rng.Next(8, Math.Min(512, bytes.Length - start));
                return bytes[..start].Concat(bytes[start..(start + len)]).Concat(bytes[start..]).ToArray();
            }
        }
    }
}
