using Zsad.Imaging.Tests.Support;

namespace Zsad.Imaging.Tests.Nifti;

/// <summary>NIfTI files written by nibabel (Peers/nib_make.py) and what nibabel reads back from them, made once per test class.</summary>
public sealed class NibabelFilesFixture : IDisposable
{
    private readonly TempDir _dir = new();
    private IReadOnlyDictionary<string, NibabelView>? _views;

    public IReadOnlyDictionary<string, NibabelView> Views => _views ??= Make();

    public string PathOf(string name) => _dir.File(name);

    private IReadOnlyDictionary<string, NibabelView> Make()
    {
        var names = MakeNibabelFiles().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var views = NibabelView.Load(names.Select(_dir.File).ToArray());
        return names.Zip(views).ToDictionary(p => p.First, p => p.Second);
    }

    public void Dispose() => _dir.Dispose();

    private string MakeNibabelFiles()
    {
        Peers.RequirePythonModule("nibabel", "python3-nibabel");
        return Peers.RunScript("nib_make.py", _dir.Path).EnsureSuccess("nib_make.py").StdOut;
    }
}
