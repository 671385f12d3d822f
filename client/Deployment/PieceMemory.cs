using System.Globalization;

namespace EzioPxe.Client.Deployment;

/// <summary>
/// How much memory the client gives to pieces being downloaded and to pieces cached for seeding.
/// What counts is pieces, not bytes: in the swarm simulator (docs/benchmarks.md, issue 16) a room
/// of 100 machines with a 1,024-piece image had its slowest machine at 1.72 S/B with room for 24
/// pieces in flight and 12 cached, 1.41 with 96 and 48, and no better with 192 and 96. A fixed
/// 48 MiB is 192 pieces of an image under 1 GiB but 12 of a typical lab image's 4 MiB pieces, so
/// the client takes 96 + 48 pieces, at least the 48 + 24 MiB it always had, and at most a
/// quarter of the memory the kernel says is available (the client runs from an initramfs in RAM,
/// and a lab PC of today has gigabytes: 4 MiB pieces take 576 MiB).
/// </summary>
internal static class PieceMemory
{
    public const long MinimumDownload = 48L * 1024 * 1024;
    public const long MinimumCache = 24L * 1024 * 1024;
    public const int DownloadPieces = 96;
    public const int CachePieces = 48;

    /// <summary>Download memory and read cache for pieces of <paramref name="pieceLength"/> bytes, within <paramref name="availableBytes"/> when known.</summary>
    public static (long Download, long Cache) For(long pieceLength, long? availableBytes)
    {
        var download = Math.Max(MinimumDownload, DownloadPieces * pieceLength);
        var cache = Math.Max(MinimumCache, CachePieces * pieceLength);
        if (availableBytes is long available)
        {
            // Scaled down together (2 : 1) to a quarter of what is available, never below the minimums.
            var budget = Math.Max(MinimumDownload + MinimumCache, available / 4);
            if (download + cache > budget)
            {
                download = Math.Max(MinimumDownload, budget / 3 * 2);
                cache = Math.Max(MinimumCache, budget - download);
            }
        }
        return (download, cache);
    }

    /// <summary>MemAvailable from /proc/meminfo in bytes; null when it cannot be read (then no cap applies beyond the piece counts).</summary>
    public static long? Available(string meminfo = "/proc/meminfo")
    {
        try
        {
            foreach (var line in File.ReadLines(meminfo))
            {
                // "MemAvailable:    3785436 kB"
                if (line.StartsWith("MemAvailable:", StringComparison.Ordinal))
                {
                    var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return fields.Length == 3 && fields[2] == "kB" && long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var kib)
                        ? kib * 1024
                        : null;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return null;
    }
}
