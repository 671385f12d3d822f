namespace EzioPxe.Imaging.Hashing;

/// <summary>
/// Piece size for an image: a power of two from 256 KiB to 16 MiB, the smallest that keeps the
/// piece count at or under 4000 (so ~1000-4000 pieces for images from 1 GiB to 64 GiB; larger
/// images get 16 MiB pieces and more of them). 4 MiB is typical for lab images of 4-16 GiB used.
/// </summary>
public static class PieceLength
{
    public const int Minimum = 256 * 1024;
    public const int Maximum = 16 * 1024 * 1024;
    public const int TargetMaxPieces = 4000;

    public static int Choose(long contentBytes)
    {
        var length = Minimum;
        while (length < Maximum && (contentBytes + length - 1) / length > TargetMaxPieces)
        {
            length *= 2;
        }
        return length;
    }

    /// <summary>Parses "4M", "4MiB", "256K", "262144"; must be a power of two from 16 KiB to 64 MiB.</summary>
    public static int Parse(string text)
    {
        var t = text.Trim();
        long multiplier = 1;
        var lower = t.ToLowerInvariant();
        foreach (var (suffix, factor) in new[] { ("kib", 1024L), ("mib", 1L << 20), ("k", 1024L), ("m", 1L << 20) })
        {
            if (lower.EndsWith(suffix, StringComparison.Ordinal))
            {
                multiplier = factor;
                t = t[..^suffix.Length];
                break;
            }
        }
        if (!long.TryParse(t, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value))
        {
            throw new FormatException($"piece size '{text}' is not a number (examples: 4M, 256K, 1048576)");
        }
        var bytes = value * multiplier;
        if (bytes < 16 * 1024 || bytes > 64L << 20 || (bytes & (bytes - 1)) != 0)
        {
            throw new FormatException($"piece size '{text}' must be a power of two between 16 KiB and 64 MiB");
        }
        return (int)bytes;
    }
}
