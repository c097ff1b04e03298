using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Zsad.Dicom.IO;

/// <summary>Unnamed files (<see cref="UnnamedFile"/>, Linux O_TMPFILE) opened ahead in one folder by a background
/// thread. Creating a file is the costliest step of storing an instance (ext4 allocates the inode in open: 21–52 % of
/// the time from the last P-DATA fragment to the C-STORE-RSP, docs/benchmarks.md), and the receiving thread then
/// waits for it while the sender waits for the RSP; taken from here, the file is already allocated, and a link gives
/// it its name instead of a rename. Files may be linked anywhere on the folder's filesystem (the intake opens them in
/// its series root and links them into the series folders). Where O_TMPFILE is refused (filesystems without it,
/// non-Linux), <see cref="TryCreate(string, out string?, int)"/> returns null and callers write a temporary file and
/// rename it, as before.</summary>
public sealed class UnnamedFilePool : IDisposable
{
    /// <summary>Enough for a few associations storing at once; each ready file is one descriptor and one inode.</summary>
    public const int DefaultDepth = 8;

    private const int OWrOnly = 1;
    private const int OCloExec = 0x80000; // the same value on x86-64 and arm64 Linux
    // readable and writable by whoever the umask lets, as File.OpenHandle creates the temporary files of the fallback
    private const int CreationMode = 0x1B6; // 0666
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(1);

    private readonly string _directory;
    private readonly int _depth;
    private readonly Func<string, SafeFileHandle?> _open;
    private readonly Queue<UnnamedFile> _ready = new();
    private readonly object _gate = new();
    private readonly Thread _refiller;
    private bool _stopped;
    private long _taken;

    private UnnamedFilePool(string directory, int depth, Func<string, SafeFileHandle?> open, UnnamedFile first)
    {
        _directory = directory;
        _depth = depth;
        _open = open;
        _ready.Enqueue(first);
        _refiller = new Thread(Refill) { IsBackground = true, Name = "zsad unnamed files" };
        _refiller.Start();
    }

    /// <summary>A pool for <paramref name="directory"/> (which must exist), or null with the reason when this
    /// system or filesystem cannot open unnamed files there.</summary>
    public static UnnamedFilePool? TryCreate(string directory, out string? refusal, int depth = DefaultDepth)
    {
        if (!OperatingSystem.IsLinux())
        {
            refusal = "unnamed files (O_TMPFILE) exist on Linux only";
            return null;
        }
        if (OTmpFile() is null)
        {
            refusal = $"O_TMPFILE value unknown on {RuntimeInformation.ProcessArchitecture}";
            return null;
        }
        if (!Directory.Exists("/proc/self/fd"))
        {
            refusal = "/proc is not mounted: an unnamed file cannot be linked without it";
            return null;
        }
        return TryCreate(directory, depth, OpenUnnamed, out refusal);
    }

    /// <summary>With <paramref name="open"/> standing in for open(O_TMPFILE) (null: refused), so tests can take the
    /// refusal and runtime failures through the callers' fallback.</summary>
    internal static UnnamedFilePool? TryCreate(string directory, int depth, Func<string, SafeFileHandle?> open, out string? refusal)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        var full = Path.GetFullPath(directory);
        if (open(full) is not { } first)
        {
            var errno = Marshal.GetLastPInvokeError();
            refusal = $"open(O_TMPFILE) in {full} refused: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";
            return null;
        }
        refusal = null;
        return new UnnamedFilePool(full, depth, open, new UnnamedFile(first));
    }

    public string Folder => _directory;

    /// <summary>Files handed out so far (by <see cref="Take"/>).</summary>
    public long Taken => Interlocked.Read(ref _taken);

    /// <summary>Files open and waiting in the pool now.</summary>
    public int Ready
    {
        get
        {
            lock (_gate)
                return _ready.Count;
        }
    }

    /// <summary>A ready file (the caller owns it: link it or dispose it), opened here if the refiller is behind; null
    /// when none can be opened now (the folder was removed, descriptors ran out, the pool is disposed): the caller
    /// then writes a temporary file and renames it.</summary>
    public UnnamedFile? Take()
    {
        UnnamedFile? file;
        lock (_gate)
        {
            if (_stopped)
                return null;
            // waking the refiller is a futex call on the receiving thread's path: once per half a pool, not per file
            if (_ready.TryDequeue(out file) && _ready.Count == _depth / 2)
                Monitor.Pulse(_gate);
        }
        if (file is null && _open(_directory) is { } opened)
            file = new UnnamedFile(opened);
        if (file is not null)
            Interlocked.Increment(ref _taken);
        return file;
    }

    private void Refill()
    {
        while (true)
        {
            lock (_gate)
            {
                // sleeps until Take has used half the pool, then fills it up again in one go
                while (!_stopped && _ready.Count > _depth / 2)
                    Monitor.Wait(_gate);
                if (_stopped)
                    return;
            }
            while (true)
            {
                // opened outside the lock: allocating the inode is the slow part that this thread exists to take
                var opened = _open(_directory);
                lock (_gate)
                {
                    if (opened is null)
                    {
                        // the folder is gone or descriptors ran out: callers fall back meanwhile; try again later
                        Monitor.Wait(_gate, RetryAfterFailure);
                        break;
                    }
                    if (_stopped)
                    {
                        opened.Dispose();
                        return;
                    }
                    _ready.Enqueue(new UnnamedFile(opened));
                    if (_ready.Count >= _depth)
                        break;
                }
            }
        }
    }

    /// <summary>Stops the refiller and closes every file still waiting (unnamed, so nothing is left on disk).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_stopped)
                return;
            _stopped = true;
            Monitor.PulseAll(_gate);
        }
        _refiller.Join();
        lock (_gate)
        {
            while (_ready.TryDequeue(out var file))
                file.Dispose();
        }
    }

    /// <summary>open(O_TMPFILE) in <paramref name="directory"/>; null when refused (errno set).</summary>
    internal static SafeFileHandle? OpenUnnamed(string directory)
    {
        var fd = open(directory, OWrOnly | OCloExec | OTmpFile()!.Value, CreationMode);
        if (fd < 0)
            return null;
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        // RandomAccess asks the kernel once per handle whether it can seek (an lseek): here, not on the receiving thread
        _ = RandomAccess.GetLength(handle);
        return handle;
    }

    /// <summary>O_TMPFILE is __O_TMPFILE | O_DIRECTORY, and O_DIRECTORY differs between architectures.</summary>
    private static int? OTmpFile() => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 0x400000 | 0x10000,
        Architecture.Arm64 => 0x400000 | 0x4000,
        _ => null,
    };

    [DllImport("libc", SetLastError = true)]
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, int mode);
}
