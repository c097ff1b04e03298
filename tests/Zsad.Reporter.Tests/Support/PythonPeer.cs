using System.Diagnostics;

namespace Zsad.Reporter.Tests.Support;

/// <summary>Runs the reference scripts under Debian's python3 (the one that imports python3-sklearn, -scipy and
/// -numpy). A missing interpreter or module fails the test with the package to install: never a skip.</summary>
public static class PythonPeer
{
    public const string Python = "/usr/bin/python3";

    public static void RequireModule(string module, string debianPackage)
    {
        if (!File.Exists(Python))
            Assert.Fail($"required peer {Python} is missing (apt-get install python3)");
        var (code, _, stderr) = Run(["-c", $"import {module}"]);
        if (code != 0)
            Assert.Fail($"required peer python module '{module}' is missing (apt-get install {debianPackage}): {stderr}");
    }

    public static string RunScript(string script, params string[] args)
    {
        RequireModule("numpy", "python3-numpy");
        RequireModule("scipy", "python3-scipy");
        RequireModule("sklearn", "python3-sklearn");
        var (code, stdout, stderr) = Run([Path.Combine(AppContext.BaseDirectory, "Peers", script), .. args]);
        Assert.True(code == 0, $"{script} exited {code}\nstdout: {stdout}\nstderr: {stderr}");
        return stdout;
    }

    private static (int Code, string StdOut, string StdErr) Run(IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {Python}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"{Python} {string.Join(' ', args)} did not finish in time");
        }
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
