namespace Zsad.Training.Tests;

/// <summary>Runs a script of tools/export with Debian's python3 (torch, onnx). A missing module fails the test with
/// the Debian package to install, never a skip.</summary>
public static class TorchReference
{
    public const string AptPackages = "python3-torch python3-onnx libopenblas0-pthread";

    public static string Script(string name)
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "tools", "export", name)))
                return Path.Combine(d.FullName, "tools", "export", name);
        throw new InvalidOperationException($"tools/export/{name} not found above {AppContext.BaseDirectory}");
    }

    public static void Run(string script, params string[] args)
    {
        Peers.RequirePythonModule("torch", "python3-torch");
        Peers.RequirePythonModule("onnx", "python3-onnx");
        Peers.Run(Peers.Python, [Script(script), .. args], TimeSpan.FromMinutes(10)).EnsureSuccess($"tools/export/{script} (apt-get install -y {AptPackages})");
    }
}
