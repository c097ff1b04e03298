using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Zsad.Testing;

/// <summary>Real peer programs (dcmtk, dicom3tools, Orthanc, pydicom/nibabel/sklearn under Debian's python3, ...).
/// A missing peer fails the test with the package to install: interop tests never skip.</summary>
public static class Peers
{
    /// <summary>Debian's python3 imports python3-pydicom, -nibabel and -sklearn; the first python3 on PATH may not.</summary>
    public const string Python = "/usr/bin/python3";

    /// <summary>A real brain MRI (Colin27, skull-stripped, 1 mm) from Debian's mricron-data.</summary>
    public const string Ch2Bet = "/usr/share/mricron/templates/ch2bet.nii.gz";

    public static string Require(string program, string debianPackage)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':').Append("/usr/sbin"))
        {
            var candidate = Path.Combine(dir, program);
            if (File.Exists(candidate))
                return candidate;
        }
        Assert.Fail($"required peer '{program}' is not installed (apt-get install {debianPackage})");
        return "";
    }

    public static string RequireFile(string path, string debianPackage)
    {
        if (!File.Exists(path))
            Assert.Fail($"required peer {path} is missing (apt-get install {debianPackage})");
        return path;
    }

    public static string RequireCh2Bet() => RequireFile(Ch2Bet, "mricron-data");

    public static void RequirePythonModule(string module, string debianPackage)
    {
        RequireFile(Python, "python3");
        var r = Run(Python, ["-c", $"import {module}"]);
        if (r.ExitCode != 0)
            Assert.Fail($"required peer python module '{module}' is missing (apt-get install {debianPackage}): {r.StdErr}");
    }

    /// <summary>Orthanc 1.10 (and any peer that binds every interface) runs only in a private network namespace,
    /// where loopback is the one interface (/proc/net/dev is per namespace, /sys is not).</summary>
    public static void RequirePrivateNetworkNamespace()
    {
        if (!File.ReadAllLines("/proc/net/dev").Skip(2).All(l => l.Split(':')[0].Trim() == "lo"))
            Assert.Fail("this peer listens on every interface: run the tests inside a private network namespace (./test.sh does: unshare --net)");
    }

    public sealed record Result(int ExitCode, string StdOut, string StdErr)
    {
        public Result EnsureSuccess(string what)
        {
            Assert.True(ExitCode == 0, $"{what} exited {ExitCode}\nstdout: {StdOut}\nstderr: {StdErr}");
            return this;
        }
    }

    /// <summary>A process with redirected output, its arguments and environment set (shared by <see cref="Run"/> and
    /// <see cref="PeerProcess.Start"/>).</summary>
    public static ProcessStartInfo StartInfo(string program, IEnumerable<string> args, string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null)
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
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            psi.Environment[key] = value;
        return psi;
    }

    /// <summary>Runs a program to completion; past the timeout its process tree is killed and the test fails.</summary>
    public static Result Run(string program, IEnumerable<string> args, TimeSpan? timeout = null, string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = StartInfo(program, args, workingDirectory, environment);
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

    /// <summary>Runs one of the Python scripts a test project ships in its Peers/ folder, with Debian's python3.</summary>
    public static Result RunScript(string script, params string[] args)
        => Run(RequireFile(Python, "python3"), [Path.Combine(AppContext.BaseDirectory, "Peers", script), .. args]);

    /// <summary>A loopback port free at the time of asking.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
