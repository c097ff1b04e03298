using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Zsad.Dicom.IO;

/// <summary>A file that exists on disk but has no name yet (Linux O_TMPFILE, opened by <see cref="UnnamedFilePool"/>):
/// it is written through <see cref="Handle"/> and appears under a name only when <see cref="Link"/> is called, all at
/// once, so no reader and no crash ever sees it half written under that name. Closing it unlinked discards it (the
/// kernel frees the inode; a crash leaves nothing behind to clean up).</summary>
public sealed class UnnamedFile : IDisposable
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkFollow = 0x400;
    private const int ENoEnt = 2;
    private const int EExist = 17;

    private static long _replaceCounter;

    // linkat through /proc needs no privilege; AT_EMPTY_PATH on the descriptor itself would need CAP_DAC_READ_SEARCH
    private readonly string _procPath;

    internal UnnamedFile(SafeFileHandle handle)
    {
        Handle = handle;
        _procPath = "/proc/self/fd/" + ((int)handle.DangerousGetHandle()).ToString(CultureInfo.InvariantCulture);
    }

    public SafeFileHandle Handle { get; }

    /// <summary>Gives the file the name <paramref name="path"/> (on the same filesystem as the pool's folder). An
    /// existing file of that name is replaced atomically, as a rename would. Throws
    /// <see cref="DirectoryNotFoundException"/> when the folder is missing, <see cref="IOException"/> otherwise.</summary>
    public void Link(string path)
    {
        if (linkat(AtFdCwd, _procPath, AtFdCwd, path, AtSymlinkFollow) == 0)
            return;
        var errno = Marshal.GetLastPInvokeError();
        if (errno == EExist)
        {
            Replace(path);
            return;
        }
        throw Failure(errno, path);
    }

    /// <summary>linkat never overwrites: a resent instance gets a temporary name first, then is renamed over the old
    /// file, so readers see the old file or the new one.</summary>
    private void Replace(string path)
    {
        var temporary = Path.Combine(Path.GetDirectoryName(path)!, string.Concat(".", Path.GetFileName(path), ".",
            Environment.ProcessId.ToString(CultureInfo.InvariantCulture), "-",
            Interlocked.Increment(ref _replaceCounter).ToString(CultureInfo.InvariantCulture), ".tmp"));
        if (linkat(AtFdCwd, _procPath, AtFdCwd, temporary, AtSymlinkFollow) != 0)
            throw Failure(Marshal.GetLastPInvokeError(), temporary);
        try
        {
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    private static IOException Failure(int errno, string path)
    {
        var message = $"linkat to {path} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";
        return errno == ENoEnt ? new DirectoryNotFoundException(message) : new IOException(message);
    }

    public void Dispose() => Handle.Dispose();

    [DllImport("libc", SetLastError = true)]
    private static extern int linkat(int oldDirectory, [MarshalAs(UnmanagedType.LPUTF8Str)] string oldPath, int newDirectory,
        [MarshalAs(UnmanagedType.LPUTF8Str)] string newPath, int flags);
}
