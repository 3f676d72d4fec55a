using System.Runtime.InteropServices;

namespace Svsm.Runtime;

/// <summary>The few libc calls the packages make on Linux: the sev-guest device's, and the variable store's directory sync.</summary>
internal static unsafe partial class Libc
{
    /// <summary><c>O_RDONLY</c>, the same on every Linux architecture.</summary>
    public const int ReadOnly = 0;

    /// <summary><c>O_RDWR</c>.</summary>
    public const int ReadWrite = 2;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, nuint request, void* argument);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    public static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    public static partial int Close(int fd);
}
