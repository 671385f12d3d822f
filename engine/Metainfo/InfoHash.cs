using System.Security.Cryptography;

namespace EzioPxe.Engine.Metainfo;

/// <summary>The 20-byte SHA-1 of a torrent's bencoded info dictionary: the swarm's identity.</summary>
public readonly struct InfoHash : IEquatable<InfoHash>
{
    public const int Length = 20;
    private readonly byte[] _bytes;

    public InfoHash(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException($"an info-hash is {Length} bytes, not {bytes.Length}", nameof(bytes));
        }
        _bytes = bytes.ToArray();
    }

    public ReadOnlySpan<byte> Span => _bytes;

    public static InfoHash Compute(ReadOnlySpan<byte> bencodedInfo) => new(SHA1.HashData(bencodedInfo));

    public static InfoHash FromHex(string hex) => new(Convert.FromHexString(hex));

    /// <summary>Lower-case hex, the form trackers, logs and URLs in this project use.</summary>
    public string ToHex() => Convert.ToHexStringLower(_bytes);

    public override string ToString() => ToHex();

    public bool Equals(InfoHash other) => Span.SequenceEqual(other.Span);

    public override bool Equals(object? obj) => obj is InfoHash other && Equals(other);

    public override int GetHashCode() => BitConverter.ToInt32(_bytes, 0);

    public static bool operator ==(InfoHash left, InfoHash right) => left.Equals(right);

    public static bool operator !=(InfoHash left, InfoHash right) => !left.Equals(right);
}
