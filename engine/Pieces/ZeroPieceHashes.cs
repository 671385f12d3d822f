using System.Security.Cryptography;

namespace EzioPxe.Engine.Pieces;

/// <summary>
/// The SHA-1 of an all-zero piece, per piece size (a torrent has at most two: the usual one and
/// the last piece's), computed the first time a zero piece of that size turns up. A blank disk
/// reads as zeros everywhere; hashing each of its pieces would cost a CPU second per few GiB.
/// </summary>
internal sealed class ZeroPieceHashes
{
    private readonly Dictionary<int, byte[]> _bySize = new();

    /// <param name="zeros">A piece that reads as all zeros; only its length matters, and it is hashed only the first time.</param>
    public byte[] Of(ReadOnlySpan<byte> zeros)
    {
        if (!_bySize.TryGetValue(zeros.Length, out var hash))
        {
            hash = SHA1.HashData(zeros);
            _bySize[zeros.Length] = hash;
        }
        return hash;
    }
}
