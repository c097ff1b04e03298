using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Zsad.Dicom.IO;

/// <summary>The POSIX calls durability needs and .NET does not offer: fdatasync of a file handle, a writeback
/// hint, and fsync of a directory (which makes a rename or a new file name durable; .NET cannot open a directory).
/// On Windows the file flush falls back to FlushFileBuffers through FileStream and directories need no sync.</summary>
public static class NativeSync
{
    private const int ORdOnly = 0;
    private const int OCloExec = 0x80000; // the same value on x86-64 and arm64 Linux
    private const uint SyncFileRangeWrite = 2;

    /// <summary>Data (and the metadata needed to read it back) of <paramref name="file"/> reach the disk.</summary>
    public static void FlushFile(SafeFileHandle file)
    {
        if (OperatingSystem.IsWindows())
        {
            using var fs = new FileStream(file, FileAccess.Write, bufferSize: 0);
            fs.Flush(flushToDisk: true);
            return;
        }
        if (fdatasync(Fd(file)) != 0)
            throw Failure("fdatasync", "a file being committed");
    }

    /// <summary>Starts writeback of the file's dirty pages without waiting, so a later <see cref="FlushFile"/> of
    /// many files finds most data already on its way (Linux only; a no-op elsewhere).</summary>
    public static void StartWriteback(SafeFileHandle file)
    {
        if (OperatingSystem.IsLinux())
            _ = sync_file_range(Fd(file), 0, 0, SyncFileRangeWrite); // a hint: failure only loses the head start
    }

    /// <summary>Makes the entries of <paramref name="directory"/> (renames into it, files created in it) durable.</summary>
    public static void FlushDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
            return;
        var path = Encoding.UTF8.GetBytes(directory + "\0");
        var fd = open(path, ORdOnly | OCloExec);
        if (fd < 0)
            throw Failure("open", directory);
        try
        {
            if (fsync(fd) != 0)
                throw Failure("fsync", directory);
        }
        finally
        {
            _ = close(fd);
        }
    }

    private static int Fd(SafeFileHandle file) => (int)file.DangerousGetHandle();

    private static IOException Failure(string call, string what)
        => new($"{call} of {what} failed: {Marshal.GetLastPInvokeErrorMessage()} (errno {Marshal.GetLastPInvokeError()})");

    [DllImport("libc", SetLastError = true)]
    private static extern int fdatasync(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int fsync(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int sync_file_range(int fd, long offset, long count, uint flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int open(byte[] path, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);
}
