using System.Text;

namespace EzioPxe.Server.NetBoot.Tftp;

/// <summary>
/// Maps a requested file name to content, confined to one directory: generated files first, then
/// regular files under the root. Confinement is checked twice: ".." segments are refused before
/// touching the disk, and after opening, the real path of the open descriptor (/proc/self/fd) must
/// lie under the root's real path, which catches symlinks pointing outside without a race.
/// </summary>
public sealed class TftpRoot
{
    private readonly string _realRoot;
    private readonly string _rootPrefix;
    private readonly IGeneratedFiles? _generated;

    public TftpRoot(string root, IGeneratedFiles? generated)
    {
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"TFTP root '{root}' does not exist");
        }
        _realRoot = NativeMethods.ResolvePath(root);
        _rootPrefix = _realRoot.EndsWith('/') ? _realRoot : _realRoot + "/";
        _generated = generated;
    }

    public string RealRoot => _realRoot;

    /// <summary>
    /// Turns a client's file name into a clean relative path, or null if it tries to leave the root.
    /// Leading '/' is dropped (pxelinux and GRUB send absolute-looking names) and '\' is taken as
    /// '/' (Windows-style boot loaders).
    /// </summary>
    public static string? NormalizeRequestPath(string requested)
    {
        var builder = new StringBuilder(requested.Length);
        foreach (var segment in requested.Replace('\\', '/').Split('/'))
        {
            if (segment.Length == 0 || segment == ".")
            {
                continue;
            }
            if (segment == ".." || segment.Contains('\0', StringComparison.Ordinal))
            {
                return null;
            }
            if (builder.Length > 0)
            {
                builder.Append('/');
            }
            builder.Append(segment);
        }
        return builder.Length == 0 ? null : builder.ToString();
    }

    public TftpOpenResult Open(string requested)
    {
        var path = NormalizeRequestPath(requested);
        if (path == null)
        {
            return TftpOpenResult.Fail(TftpErrorCode.AccessViolation, "path outside the TFTP root");
        }
        if (_generated != null && _generated.TryGet(path, out var generated))
        {
            return TftpOpenResult.Ok(TftpContent.FromMemory(generated));
        }
        var fullPath = Path.Combine(_realRoot, path);
        Microsoft.Win32.SafeHandles.SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return TftpOpenResult.Fail(TftpErrorCode.FileNotFound, "file not found");
        }
        catch (UnauthorizedAccessException)
        {
            // Directories and unreadable files both land here.
            return TftpOpenResult.Fail(TftpErrorCode.AccessViolation, "not a readable file");
        }
        catch (IOException)
        {
            return TftpOpenResult.Fail(TftpErrorCode.FileNotFound, "file not found");
        }
        var realPath = new FileInfo("/proc/self/fd/" + handle.DangerousGetHandle()).LinkTarget;
        if (realPath == null || !realPath.StartsWith(_rootPrefix, StringComparison.Ordinal))
        {
            handle.Dispose();
            return TftpOpenResult.Fail(TftpErrorCode.AccessViolation, "path outside the TFTP root");
        }
        return TftpOpenResult.Ok(TftpContent.FromFile(handle));
    }
}
