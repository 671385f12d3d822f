using EzioPxe.Engine.Metainfo;
using EzioPxe.Engine.Storage;

namespace EzioPxe.Server.Seeding;

/// <summary>
/// The origin seeder's storage for a Clonezilla BitTorrent slices directory (partclone -T,
/// --btfiles): each torrent file is a file of its own in the directory, named by its offset in
/// the partition, as `partclone.FS -T` writes them and Clonezilla's ocs-btsrv seeds them
/// (docs/image-format.md, "Clonezilla BitTorrent slices"). Read-only. A large partition has
/// tens of thousands of slices (partclone cuts them at its buffer size), so a file is opened for
/// each read rather than held open.
/// </summary>
public sealed class SliceDirectoryStorage : IPieceStorage
{
    private readonly PieceLayout _layout;
    private readonly string[] _paths;

    /// <summary>Throws <see cref="InvalidDataException"/> when a slice is missing, has another length, or is not named by an offset.</summary>
    public SliceDirectoryStorage(TorrentInfo info, string directory)
    {
        _layout = new PieceLayout(info);
        var offsets = ImageStorage.DiskOffsets(info);
        _paths = new string[info.Files.Count];
        for (var i = 0; i < _paths.Length; i++)
        {
            var file = info.Files[i];
            // The torrent's name is the partition's directory ("sda1"); each path is one segment, the offset.
            var path = _paths[i] = Path.Combine(directory, file.PathSegments[^1]);
            var found = new FileInfo(path);
            if (!found.Exists)
            {
                throw new InvalidDataException($"slice {file.Path} is missing from {directory}: the torrent is not of this slices directory");
            }
            if (found.Length != file.Length)
            {
                throw new InvalidDataException($"slice {path} has {found.Length} bytes, the torrent says {file.Length}: the torrent is not of this slices directory");
            }
            End = Math.Max(End, offsets[i] + file.Length);
        }
    }

    /// <summary>Where the last slice ends in the partition: the smallest partition the image fits.</summary>
    public long End { get; }

    /// <summary>The file holding torrent file <paramref name="index"/>.</summary>
    public string PathOf(int index) => _paths[index];

    public async ValueTask ReadAsync(int piece, int offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        foreach (var span in _layout.Map(piece, offset, buffer.Length))
        {
            using var handle = File.OpenHandle(_paths[span.FileIndex], FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.Asynchronous);
            var target = buffer.Slice(span.BufferOffset, span.Length);
            var read = await ExactRead.ReadAtAsync(handle, target, span.FileOffset, cancellationToken);
            if (read < target.Length)
            {
                throw new EndOfStreamException($"slice {_paths[span.FileIndex]} ended at {span.FileOffset + read} (it shrank after the torrent was made?)");
            }
        }
    }

    public ValueTask WritePieceAsync(int piece, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("the origin seeder's image is read-only");

    public ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
