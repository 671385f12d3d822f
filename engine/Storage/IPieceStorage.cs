namespace EzioPxe.Engine.Storage;

/// <summary>
/// Where a torrent's bytes live. The engine never touches files itself: a plain directory
/// (<see cref="FileSystemStorage"/>) for ordinary torrents, a raw block device for a disk image.
/// Calls may come from several threads at once, for different pieces.
/// </summary>
public interface IPieceStorage : IAsyncDisposable
{
    /// <summary>
    /// Reads <c>buffer.Length</c> bytes of <paramref name="piece"/> starting <paramref name="offset"/>
    /// bytes into it: for seeding blocks and for checking pieces already present.
    /// </summary>
    ValueTask ReadAsync(int piece, int offset, Memory<byte> buffer, CancellationToken cancellationToken);

    /// <summary>Writes one whole piece. The engine calls this only after the piece's SHA-1 matched.</summary>
    ValueTask WritePieceAsync(int piece, ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>Makes everything written so far durable.</summary>
    ValueTask FlushAsync(CancellationToken cancellationToken);
}
