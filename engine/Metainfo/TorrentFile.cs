namespace EzioPxe.Engine.Metainfo;

/// <summary>
/// One file of a torrent. <see cref="Offset"/> is where it starts in the torrent's byte stream
/// (all files concatenated in order), which is how pieces map onto files.
/// </summary>
public sealed record TorrentFile(IReadOnlyList<string> PathSegments, long Length, long Offset)
{
    /// <summary>The path with '/' between segments, relative to the torrent's directory.</summary>
    public string Path => string.Join('/', PathSegments);

    public long End => Offset + Length;
}
