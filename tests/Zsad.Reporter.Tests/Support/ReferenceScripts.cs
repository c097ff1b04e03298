namespace Zsad.Reporter.Tests.Support;

/// <summary>The reference metric scripts under Debian's python3, which imports python3-sklearn, -scipy and -numpy.</summary>
public static class ReferenceScripts
{
    public static string Run(string script, params string[] args)
    {
        Peers.RequirePythonModule("numpy", "python3-numpy");
        Peers.RequirePythonModule("scipy", "python3-scipy");
        Peers.RequirePythonModule("sklearn", "python3-sklearn");
        return Peers.RunScript(script, args).EnsureSuccess(script).StdOut;
    }
}
