using Microsoft.Win32.SafeHandles;
using EzioPxe.Engine.Metainfo;

namespace EzioPxe.Engine.Storage;

/// <summary>
/// Stores an ordinary torrent as files under a directory, the way every BitTorrent client does.
/// Multi-file torrents go into a sub-directory named after the torrent.
/// </summary>
public sealed class FileSystemStorage : IPieceStorage
{
    private readonly PieceLayout _layout;
    private readonly string[] _paths;
    private readonly SafeFileHandle?[] _handles;
    private readonly bool _writable;
    private readonly object _openLock = new();

    /// <param name="directory">The download directory.</param>
    /// <param name="writable">False to seed from existing files without ever creating or changing them.</param>
    public FileSystemStorage(TorrentInfo info, string directory, bool writable = true)
    {
        _layout = new PieceLayout(info);
        _writable = writable;
        var root = info.IsMultiFile ? Path.Combine(directory, info.Name) : directory;
        _paths = info.Files.Select(f => Path.Combine(root, Path.Combine(f.PathSegments.ToArray()))).ToArray();
        _handles = new SafeFileHandle?[_paths.Length];
        if (writable)
        {
            // No piece covers an empty file, so no write would ever create it.
            foreach (var (path, file) in _paths.Zip(info.Files))
            {
                if (file.Length == 0 && !File.Exists(path))
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    File.Create(path).Dispose();
                }
            }
        }
    }

    public async ValueTask ReadAsync(int piece, int offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        foreach (var span in _layout.Map(piece, offset, buffer.Length))
        {
            var target = buffer.Slice(span.BufferOffset, span.Length);
            if (await ExactRead.ReadAtAsync(Open(span.FileIndex), target, span.FileOffset, cancellationToken) < target.Length)
            {
                throw new EndOfStreamException($"{_paths[span.FileIndex]} is shorter than the torrent says");
            }
        }
    }

    public async ValueTask WritePieceAsync(int piece, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (!_writable)
        {
            throw new InvalidOperationException("this storage is read-only");
        }
        foreach (var span in _layout.Map(piece, 0, data.Length))
        {
            await RandomAccess.WriteAsync(Open(span.FileIndex), data.Slice(span.BufferOffset, span.Length), span.FileOffset, cancellationToken);
        }
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        foreach (var handle in _handles)
        {
            if (handle != null)
            {
                RandomAccess.FlushToDisk(handle);
            }
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>Whether every file exists with its full length (a cheap hint before a full check).</summary>
    public bool AllFilesPresent() => _paths.Select((p, i) => new FileInfo(p) is { Exists: true } f && f.Length == _layout.Info.Files[i].Length).All(ok => ok);

    private SafeFileHandle Open(int file)
    {
        var handle = _handles[file];
        if (handle != null)
        {
            return handle;
        }
        lock (_openLock)
        {
            if (_handles[file] is { } existing)
            {
                return existing;
            }
            var path = _paths[file];
            if (_writable)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                handle = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite, FileOptions.Asynchronous);
                if (RandomAccess.GetLength(handle) != _layout.Info.Files[file].Length)
                {
                    RandomAccess.SetLength(handle, _layout.Info.Files[file].Length);
                }
            }
            else
            {
                handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, FileOptions.Asynchronous);
            }
            _handles[file] = handle;
            return handle;
        }
    }

    public ValueTask DisposeAsync()
    {
        foreach (var handle in _handles)
        {
            handle?.Dispose();
        }
        return ValueTask.CompletedTask;
    }
}
