using EzioPxe.Engine.Metainfo;
using EzioPxe.Engine.Storage;
using EzioPxe.Server.Configuration;

namespace EzioPxe.Server.Seeding;

/// <summary>An image ready to serve: its torrent loaded and checked against the source.</summary>
public sealed class ServedImage
{
    private readonly Dictionary<string, int> _fileIndex;

    public ServedImage(ConfiguredImage configured, Torrent torrent, long sourceLength)
    {
        Configured = configured;
        IsSliceDirectory = Directory.Exists(configured.SourcePath);
        Torrent = torrent;
        SourceLength = sourceLength;
        DiskOffsets = ImageStorage.DiskOffsets(torrent.Info);
        _fileIndex = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < torrent.Info.Files.Count; i++)
        {
            _fileIndex[torrent.Info.Files[i].Path] = i;
        }
    }

    public ConfiguredImage Configured { get; }

    public string Name => Configured.Name;

    public string SourcePath => Configured.SourcePath;

    /// <summary>
    /// The source is a Clonezilla BitTorrent slices directory (one file per torrent file, named by
    /// its partition offset), not a raw disk image or block device.
    /// </summary>
    public bool IsSliceDirectory { get; }

    public Torrent Torrent { get; }

    public long SourceLength { get; }

    /// <summary>The disk offset of each torrent file, in torrent order.</summary>
    public IReadOnlyList<long> DiskOffsets { get; }

    /// <summary>The seeder's read-only storage of this image: the raw source, or the slices directory.</summary>
    public IPieceStorage OpenStorage() => IsSliceDirectory
        ? new SliceDirectoryStorage(Torrent.Info, SourcePath)
        : new ImageStorage(Torrent.Info, SourcePath);

    /// <summary>
    /// The extent a torrent file name stands for: the file that holds it and where in that file
    /// (the raw source at its disk offset, or its own slice file from 0), and its length.
    /// </summary>
    public bool TryFindExtent(string fileName, out string path, out long offset, out long length)
    {
        if (_fileIndex.TryGetValue(fileName, out var index))
        {
            var file = Torrent.Info.Files[index];
            (path, offset) = IsSliceDirectory ? (Path.Combine(SourcePath, file.PathSegments[^1]), 0L) : (SourcePath, DiskOffsets[index]);
            length = file.Length;
            return true;
        }
        path = "";
        offset = length = 0;
        return false;
    }
}
