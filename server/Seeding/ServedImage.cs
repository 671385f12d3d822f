using EzioPxe.Engine.Metainfo;
using EzioPxe.Server.Configuration;

namespace EzioPxe.Server.Seeding;

/// <summary>An image ready to serve: its torrent loaded and checked against the source.</summary>
public sealed class ServedImage
{
    private readonly Dictionary<string, int> _fileIndex;

    public ServedImage(ConfiguredImage configured, Torrent torrent, long sourceLength)
    {
        Configured = configured;
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

    public Torrent Torrent { get; }

    public long SourceLength { get; }

    /// <summary>The disk offset of each torrent file, in torrent order.</summary>
    public IReadOnlyList<long> DiskOffsets { get; }

    /// <summary>The extent a torrent file name stands for: its disk offset and length.</summary>
    public bool TryFindExtent(string fileName, out long diskOffset, out long length)
    {
        if (_fileIndex.TryGetValue(fileName, out var index))
        {
            diskOffset = DiskOffsets[index];
            length = Torrent.Info.Files[index].Length;
            return true;
        }
        diskOffset = length = 0;
        return false;
    }
}
