using Zsad.Tools.Fatbin;

// fatbin list LIB                          the entries of LIB's .nv_fatbin section, and bytes per architecture
// fatbin keep --arch 90[,100] [--no-ptx] IN OUT
//                                          OUT = IN with every other architecture's cubins zeroed in place
const string usage = "usage: fatbin list LIB | fatbin keep --arch N[,N...] [--no-ptx] IN OUT";
try
{
    switch (args)
    {
        case ["list", var path]:
        {
            var image = FatbinImage.Read(File.ReadAllBytes(path));
            foreach (var e in image.Entries)
                Console.WriteLine(e);
            foreach (var g in image.Entries.GroupBy(e => (e.Kind, e.Arch)).OrderBy(g => g.Key.Arch))
                Console.WriteLine($"# {g.Key.Kind} sm_{g.Key.Arch}: {g.Count()} entries, {g.Sum(e => e.PayloadLength)} bytes");
            Console.WriteLine($"# {image.ContainerCount} containers in {image.SectionLength} bytes of .nv_fatbin at {image.SectionOffset}");
            return 0;
        }
        case ["keep", "--arch", var archList, .. var rest] when rest is [_, _] or ["--no-ptx", _, _]:
        {
            var keepPtx = rest.Length == 2;
            var archs = archList.Split(',').Select(a => int.TryParse(a, out var n) ? n : throw new ArgumentException($"--arch: '{a}' is not a number like 90")).ToHashSet();
            var bytes = File.ReadAllBytes(rest[^2]);
            var image = FatbinImage.Read(bytes);
            var zeroed = image.Blank(bytes, archs, keepPtx);
            File.WriteAllBytes(rest[^1], bytes);
            var kept = image.Entries.Where(e => e.Kind == FatbinEntryKind.Cubin && archs.Contains(e.Arch)).ToList();
            if (kept.Count == 0)
                Console.Error.WriteLine($"fatbin: warning: {rest[^2]} has no cubin for sm_{string.Join(",sm_", archs)}: only PTX (if kept) can run");
            Console.WriteLine($"kept {kept.Count} cubins ({kept.Sum(e => e.PayloadLength)} bytes) for sm_{string.Join(",sm_", archs)}; zeroed {zeroed} bytes of other architectures");
            return 0;
        }
        default:
            Console.Error.WriteLine(usage);
            return 2;
    }
}
catch (Exception ex) when (ex is FatbinFormatException or IOException or ArgumentException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"fatbin: {ex.Message}");
    return 1;
}
