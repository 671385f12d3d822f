namespace EzioPxe.Engine.Bencode;

/// <summary>
/// Bounds that keep a hostile input from exhausting the stack or memory. The defaults fit
/// torrents with tens of thousands of files (partclone's -T mode makes many 1 MiB files).
/// </summary>
public sealed record BencodeLimits
{
    public static readonly BencodeLimits Default = new();

    /// <summary>How deeply lists and dictionaries may nest.</summary>
    public int MaxDepth { get; init; } = 64;

    /// <summary>Longest single byte string (the "pieces" string of a big torrent is the longest).</summary>
    public int MaxStringLength { get; init; } = 64 * 1024 * 1024;

    /// <summary>How many values in total one document may hold.</summary>
    public int MaxValues { get; init; } = 4_000_000;
}
