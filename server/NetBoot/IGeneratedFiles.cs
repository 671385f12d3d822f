namespace EzioPxe.Server.NetBoot;

/// <summary>
/// Files that exist only in memory (boot menus rendered per machine). The TFTP server asks this
/// before it looks on disk; the HTTP server can serve the same paths.
/// </summary>
public interface IGeneratedFiles
{
    /// <summary>
    /// <paramref name="path"/> is relative, '/'-separated, without a leading '/', already checked
    /// to contain no ".." segment. Returns false when the path is not one of ours.
    /// </summary>
    bool TryGet(string path, out ReadOnlyMemory<byte> content);
}
