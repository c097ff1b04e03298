using System.Diagnostics;

namespace Zsad.Dicom.Tests.Support;

/// <summary>Real peer programs (dcmtk, dicom3tools, pydicom under Debian's python3). A missing peer fails the
/// test with the package to install: interop tests never skip silently.</summary>
public static class Peers
{
    /// <summary>Debian's python3 is the one that imports python3-pydicom and python3-nibabel.</summary>
    public const string Python = "/usr/bin/python3";

    public static string Require(string program, string debianPackage)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':'))
        {
            var candidate = Path.Combine(dir, program);
            if (File.Exists(candidate))
                return candidate;
        }
        Assert.Fail($"required peer '{program}' is not installed (apt-get install {debianPackage})");
        return "";
    }

    public static void RequirePythonModule(string module, string debianPackage)
    {
        if (!File.Exists(Python))
            Assert.Fail($"required peer {Python} is missing (apt-get install python3)");
        var r = Run(Python, ["-c", $"import {module}"]);
        if (r.ExitCode != 0)
            Assert.Fail($"required peer python module '{module}' is missing (apt-get install {debianPackage}): {r.StdErr}");
    }

    public sealed record Result(int ExitCode, string StdOut, string StdErr)
    {
        public Result EnsureSuccess(string what)
        {
            Assert.True(ExitCode == 0, $"{what} exited {ExitCode}\nstdout: {StdOut}\nstderr: {StdErr}");
            return this;
        }
    }

    public static Result Run(string program, IEnumerable<string> args, TimeSpan? timeout = null, string? workingDirectory = null)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {program}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout ?? TimeSpan.FromSeconds(120)))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"{program} {string.Join(' ', args)} did not finish in time");
        }
        p.WaitForExit();
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Runs one of the Python scripts shipped next to the tests (Peers/*.py).</summary>
    public static Result RunScript(string script, params string[] args)
    {
        RequirePythonModule("pydicom", "python3-pydicom");
        var path = Path.Combine(AppContext.BaseDirectory, "Peers", script);
        return Run(Python, [path, .. args]);
    }
}
