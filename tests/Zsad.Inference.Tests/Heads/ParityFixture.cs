using System.Diagnostics;
using Zsad.Inference.Tests.Support;

namespace Zsad.Inference.Tests.Heads;

/// <summary>Runs tools/export/parity.py once for the whole class: it builds a tiny random-weight CLIP-shaped model
/// per method in PyTorch, exports each to a bundle, and writes the PyTorch reference maps and scores. Missing
/// torch/onnx is a failure that names the Debian packages, never a skip: the parity proof is part of the suite.</summary>
public class ParityFixture : IDisposable
{
    public const string AptPackages = "python3-torch python3-onnx libopenblas0-pthread";

    private readonly TempDir _dir = new();
    private readonly Lazy<string?> _error;

    private readonly string? _methods;
    private readonly string _script;

    public ParityFixture() : this(null)
    {
    }

    /// <param name="methods">Comma-separated parity.py cases to export; null = all of them.</param>
    /// <param name="script">The tools/export script that writes the cases (it takes OUT_DIR [--methods ...]).</param>
    protected ParityFixture(string? methods, string script = "parity.py")
    {
        _methods = methods;
        _script = script;
        _error = new Lazy<string?>(Generate);
    }

    public string Root => _dir.Path;

    /// <summary>Generates on first use; fails the calling test with the reason when generation fails.</summary>
    public string CaseDir(string name)
    {
        if (_error.Value is { } error)
            Assert.Fail(error);
        return Path.Combine(Root, name);
    }

    /// <summary>$ZSAD_PYTHON, else Debian's /usr/bin/python3 (where apt installs torch), else python3 on PATH.</summary>
    public static string Python => Environment.GetEnvironmentVariable("ZSAD_PYTHON") is { Length: > 0 } p ? p : File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    public static string RepositoryRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "tools", "export", "parity.py")))
                return d.FullName;
        throw new InvalidOperationException("tools/export/parity.py not found above " + AppContext.BaseDirectory);
    }

    private string? Generate()
    {
        var (code, output) = RunPython("-c \"import torch, onnx, numpy\"");
        if (code != 0)
            return $"the parity tests need PyTorch and ONNX for {Python}: apt-get install -y {AptPackages}\n{output}";
        var script = Path.Combine(RepositoryRoot(), "tools", "export", _script);
        (code, output) = RunPython($"\"{script}\" \"{Root}\"{(_methods is null ? "" : $" --methods {_methods}")}");
        return code == 0 ? null : $"tools/export/{_script} failed ({code}):\n{output}";
    }

    /// <summary>Runs <see cref="Python"/> with 2 intra-op threads; returns its exit code and stdout + stderr.</summary>
    internal static (int Code, string Output) RunPython(string arguments, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(Python, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? "",
        };
        start.Environment["OMP_NUM_THREADS"] = "2";
        start.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        try
        {
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, stdout + stderr.Result);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (-1, $"{Python} could not start: {ex.Message}");
        }
    }

    public void Dispose()
    {
        _dir.Dispose();
        GC.SuppressFinalize(this);
    }
}
