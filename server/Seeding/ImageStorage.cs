using EzioPxe.Contracts.Images;
using EzioPxe.Engine.Metainfo;
using EzioPxe.Engine.Storage;
using EzioPxe.Imaging;
using EzioPxe.Imaging.Torrent;
using Microsoft.Win32.SafeHandles;

namespace EzioPxe.Server.Seeding;

/// <summary>
/// The origin seeder's storage: reads each torrent file straight from the image file or block
/// device at the disk offset its name spells (see docs/image-format.md). Read-only: the server
/// never writes to an image it serves.
/// </summary>
public sealed class ImageStorage : IPieceStorage
{
    private readonly PieceLayout _layout;
    private readonly long[] _diskOffsets;
    private readonly SafeFileHandle _source;

    /// <summary>Throws <see cref="InvalidDataException"/> when a file name is not a disk offset or an extent lies past the end of the source.</summary>
    public ImageStorage(TorrentInfo info, string sourcePath)
    {
        _layout = new PieceLayout(info);
        _diskOffsets = DiskOffsets(info);
        _source = File.OpenHandle(sourcePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, FileOptions.Asynchronous);
        try
        {
            // Block devices have no st_size; SparseFile asks the kernel for their size.
            var size = SparseFile.Size(_source);
            SourceLength = size;
            for (var i = 0; i < _diskOffsets.Length; i++)
            {
                if (_diskOffsets[i] + info.Files[i].Length > size)
                {
                    throw new InvalidDataException(
                        $"extent {info.Files[i].Path} ({info.Files[i].Length} bytes) ends past the end of {sourcePath} ({size} bytes): the torrent is not of this image");
                }
            }
        }
        catch
        {
            _source.Dispose();
            throw;
        }
    }

    public long SourceLength { get; }

    /// <summary>Where each torrent file starts on the disk, from its name.</summary>
    public static long[] DiskOffsets(TorrentInfo info)
    {
        var offsets = new long[info.Files.Count];
        for (var i = 0; i < offsets.Length; i++)
        {
            var file = info.Files[i];
            if (!ExtentName.TryParse(file, out offsets[i]))
            {
                throw new InvalidDataException($"torrent file '{file.Path}' is not named by a hexadecimal disk offset: not an image torrent");
            }
        }
        return offsets;
    }

    public async ValueTask ReadAsync(int piece, int offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        foreach (var span in _layout.Map(piece, offset, buffer.Length))
        {
            var target = buffer.Slice(span.BufferOffset, span.Length);
            var position = _diskOffsets[span.FileIndex] + span.FileOffset;
            var read = await ExactRead.ReadAtAsync(_source, target, position, cancellationToken);
            if (read < target.Length)
            {
                throw new EndOfStreamException($"the image ended at offset {position + read} (it shrank after the torrent was made?)");
            }
        }
    }

    public ValueTask WritePieceAsync(int piece, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("the origin seeder's image is read-only");

    public ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask DisposeAsync()
    {
        _source.Dispose();
        return ValueTask.CompletedTask;
    }
}
