using System.Diagnostics;

namespace Zsad.Imaging.Tests.Support;

/// <summary>Real peer programs (nibabel under Debian's python3, dcm2niix). A missing peer fails the test with the
/// package to install: interop tests never skip.</summary>
public static class Peers
{
    /// <summary>Debian's python3 is the one that imports python3-nibabel; the first python3 on PATH may not.</summary>
    public const string Python = "/usr/bin/python3";

    public const string Ch2Bet = "/usr/share/mricron/templates/ch2bet.nii.gz";

    public static string Require(string program, string debianPackage)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':').Append("/usr/bin"))
        {
            var candidate = Path.Combine(dir, program);
            if (File.Exists(candidate))
                return candidate;
        }
        Assert.Fail($"required peer '{program}' is not installed (apt-get install -y {debianPackage})");
        return "";
    }

    public static void RequireNibabel()
    {
        if (!File.Exists(Python))
            Assert.Fail($"required peer {Python} is missing (apt-get install -y python3 python3-nibabel)");
        var r = Run(Python, ["-c", "import nibabel"]);
        if (r.ExitCode != 0)
            Assert.Fail($"required peer python module 'nibabel' is missing (apt-get install -y python3-nibabel): {r.StdErr}");
    }

    public static string RequireCh2Bet()
    {
        if (!File.Exists(Ch2Bet))
            Assert.Fail($"required test data {Ch2Bet} is missing (apt-get install -y mricron-data)");
        return Ch2Bet;
    }

    public sealed record Result(int ExitCode, string StdOut, string StdErr)
    {
        public Result EnsureSuccess(string what)
        {
            Assert.True(ExitCode == 0, $"{what} exited {ExitCode}\nstdout: {StdOut}\nstderr: {StdErr}");
            return this;
        }
    }

    public static Result Run(string program, IEnumerable<string> args, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
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

    /// <summary>Runs one of the Python scripts shipped next to the tests (Peers/*.py) with Debian's python3.</summary>
    public static Result RunScript(string script, params string[] args)
    {
        RequireNibabel();
        var path = Path.Combine(AppContext.BaseDirectory, "Peers", script);
        return Run(Python, [path, .. args]).EnsureSuccess(script);
    }
}
