using System.Globalization;
using System.Text;
using EzioPxe.Contracts.Progress;

namespace EzioPxe.Client.Progress;

/// <summary>
/// The one line of progress a console shows, e.g.
/// <c>downloading  42.3%  1.23/2.92 GB  85.2 MB/s  up 12.0 MB/s  7 peers  ETA 0:19</c>.
/// Plain ASCII: the Linux text console and serial consoles have no fancy glyphs.
/// </summary>
public static class ProgressLine
{
    public static string Format(ProgressReport report, int width = 80)
    {
        var line = new StringBuilder();
        line.Append(report.State);
        if (report.BytesTotal > 0)
        {
            line.Append("  ").Append(Percent(report.BytesDone, report.BytesTotal));
            line.Append("  ").Append(Amount(report.BytesDone, report.BytesTotal));
        }
        line.Append("  ").Append(Rate(report.DownloadRate));
        if (report.UploadRate > 0)
        {
            line.Append("  up ").Append(Rate(report.UploadRate));
        }
        line.Append("  ").Append(report.Peers.ToString(CultureInfo.InvariantCulture)).Append(report.Peers == 1 ? " peer" : " peers");
        line.Append("  ETA ").Append(report.EtaSeconds is { } eta ? Duration(TimeSpan.FromSeconds(eta)) : "--:--");
        if (report.Error != null)
        {
            line.Append("  ").Append(report.Error);
        }
        // One column short of the width: writing the last column makes some consoles wrap, and a
        // wrapped line cannot be redrawn with \r.
        return line.Length < width ? line.ToString() : line.ToString(0, Math.Max(1, width - 1));
    }

    /// <summary>"42.3%", never "100.0%" before the last byte.</summary>
    public static string Percent(long done, long total)
    {
        var tenths = total <= 0 ? 0 : (long)((decimal)done * 1000 / total);
        if (tenths == 1000 && done < total)
        {
            tenths = 999;
        }
        return (tenths / 10).ToString(CultureInfo.InvariantCulture) + "." + (tenths % 10).ToString(CultureInfo.InvariantCulture) + "%";
    }

    /// <summary>"1.23/2.92 GB", both in the unit of the total (decimal units, as disks are sold).</summary>
    public static string Amount(long done, long total)
    {
        var (divisor, unit) = total switch
        {
            >= 1_000_000_000_000 => (1e12, "TB"),
            >= 1_000_000_000 => (1e9, "GB"),
            >= 1_000_000 => (1e6, "MB"),
            >= 1_000 => (1e3, "kB"),
            _ => (1.0, "B"),
        };
        var format = divisor == 1.0 ? "0" : "0.00";
        return (done / divisor).ToString(format, CultureInfo.InvariantCulture) + "/" + (total / divisor).ToString(format, CultureInfo.InvariantCulture) + " " + unit;
    }

    /// <summary>"85.2 MB/s".</summary>
    public static string Rate(long bytesPerSecond) => (bytesPerSecond / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + " MB/s";

    /// <summary>"0:19", "12:05", "1:02:03".</summary>
    public static string Duration(TimeSpan duration)
    {
        var total = (long)Math.Max(0, duration.TotalSeconds);
        var hours = total / 3600;
        var minutes = total / 60 % 60;
        var seconds = total % 60;
        return hours > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{hours}:{minutes:00}:{seconds:00}")
            : string.Create(CultureInfo.InvariantCulture, $"{minutes}:{seconds:00}");
    }

    /// <summary>Seconds left at <paramref name="bytesPerSecond"/>; null when nothing moves (no honest estimate).</summary>
    public static long? EtaSeconds(long done, long total, long bytesPerSecond) =>
        done >= total ? 0 : bytesPerSecond <= 0 ? null : (total - done + bytesPerSecond - 1) / bytesPerSecond;
}
