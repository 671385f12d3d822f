using System.Globalization;
using System.Text;

namespace EzioPxe.Server.Status;

/// <summary>Prints a <see cref="ServerStatus"/> as the plain-text tables of `eziopxe status`.</summary>
public static class StatusTable
{
    private static readonly string[] MachineHeader = ["MAC", "NAME", "IP", "JOB", "STATE", "PROGRESS", "RATE", "PEERS", "ETA"];

    public static string Format(ServerStatus status)
    {
        var text = new StringBuilder();
        text.AppendLine(Table(["IMAGE", "SIZE", "EXTENTS", "SEEDERS", "LEECHERS", "SERVER SENT", "SERVER RATE"],
            status.Images.Select(i => new[] { i.Name, Bytes(i.Bytes), Number(i.Extents), Number(i.Seeders), Number(i.Leechers), Bytes(i.Uploaded), Rate(i.UploadRate) })));
        text.AppendLine(Table(["JOB", "IMAGE", "DONE", "REPORTING", "EXPECTED", "ROOM DONE"],
            status.Jobs.Select(j => new[] { j.Name, j.Image, Number(j.Finished), Number(j.Reporting), j.Expected == 0 ? "-" : Number(j.Expected), j.RoomDone ? "yes" : "no" })));
        if (status.AnyMachineJob != null)
        {
            text.AppendLine($"Armed for any machine that network-boots: job {status.AnyMachineJob}").AppendLine();
        }
        if (status.Machines.Count == 0)
        {
            text.AppendLine("No machine is listed, armed or seen yet.");
        }
        else
        {
            // BOOT only when our DHCP server saw a machine boot (without NetBoot it never knows).
            var boot = status.Machines.Any(m => m.BootPath != null);
            text.AppendLine(Table(boot ? [.. MachineHeader, "BOOT"] : MachineHeader,
                status.Machines.Select(m =>
                {
                    var report = m.Report;
                    string[] row =
                    [
                        m.Mac, m.Name ?? report?.Hostname ?? "-", m.Address ?? "-", m.Job ?? "-",
                        report?.Error != null ? $"{m.State}: {report.Error}" : report?.Note != null ? $"{m.State} ({report.Note})" : m.State,
                        m.Percent.ToString("0.0", CultureInfo.InvariantCulture) + "%", Rate(report?.DownloadRate ?? 0), Number(report?.Peers ?? 0), Eta(report?.EtaSeconds),
                    ];
                    return boot ? [.. row, m.BootPath ?? "-"] : row;
                })));
        }
        if (status.History.Count > 0)
        {
            text.AppendLine();
            text.AppendLine(Table(["FINISHED (UTC)", "MAC", "NAME", "JOB", "RESULT", "TOOK", "ARMED BY"],
                status.History.Take(10).Select(h => new[]
                {
                    h.FinishedAt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), h.Mac, h.Name ?? "-", h.Job,
                    h.Error != null ? $"{h.Result}: {h.Error}" : h.Result, Eta((long)Math.Round(h.Seconds)), h.ArmedBy ?? "-",
                })));
        }
        return text.ToString();
    }

    public static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => (bytes / (double)(1L << 30)).ToString("0.0", CultureInfo.InvariantCulture) + " GiB",
        >= 1L << 20 => (bytes / (double)(1L << 20)).ToString("0.0", CultureInfo.InvariantCulture) + " MiB",
        >= 1L << 10 => (bytes / (double)(1L << 10)).ToString("0.0", CultureInfo.InvariantCulture) + " KiB",
        _ => bytes.ToString(CultureInfo.InvariantCulture) + " B",
    };

    public static string Rate(long bytesPerSecond) => (bytesPerSecond / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + " MB/s";

    public static string Eta(long? seconds) => seconds switch
    {
        null => "-",
        >= 3600 => $"{seconds / 3600}h{seconds % 3600 / 60:00}m",
        _ => $"{seconds / 60}:{seconds % 60:00}",
    };

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Table(string[] header, IEnumerable<string[]> rows)
    {
        var all = new List<string[]> { header };
        all.AddRange(rows);
        var widths = header.Select((_, c) => all.Max(r => r[c].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in all)
        {
            text.AppendLine(string.Join("  ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
        }
        return text.ToString();
    }
}
