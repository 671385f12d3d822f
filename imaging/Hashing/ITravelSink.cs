namespace EzioPxe.Imaging.Hashing;

/// <summary>
/// Receives the bytes that travel as the scan decides them, in disk order: the torrent's content
/// (its extents concatenated), so that it can be hashed in the same read.
/// </summary>
public interface ITravelSink
{
    /// <summary>Bytes at <paramref name="offset"/> that travel.</summary>
    void Data(long offset, ReadOnlySpan<byte> bytes);

    /// <summary>A run of <paramref name="length"/> zero bytes at <paramref name="offset"/> that travels (too short to be cut out).</summary>
    void Zeros(long offset, long length);
}
