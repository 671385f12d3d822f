using System.Globalization;
using System.Text;
using EzioPxe.Server.Tasks;

namespace EzioPxe.Server.Cli;

/// <summary>`eziopxe deploy --list`: the armed and running tasks as a table.</summary>
public static class TaskTable
{
    private static readonly string[] Header = ["MAC", "JOB", "STATE", "ARMED (UTC)", "BY"];

    public static string Format(TaskFile tasks)
    {
        var text = new StringBuilder();
        if (tasks.AnyMachine is { } any)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"any machine that network-boots: job {any.Job} (armed {any.ArmedAt:yyyy-MM-dd HH:mm} UTC by {any.ArmedBy}; {any.Served.Count} served)");
        }
        if (tasks.Tasks.Count == 0)
        {
            text.AppendLine("No machine has a task: every machine that network-boots boots its own disk.");
            return text.ToString();
        }
        var rows = new List<string[]> { Header };
        rows.AddRange(tasks.Tasks.Select(t => new[] { t.Mac, t.Job, t.State, t.ArmedAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), t.ArmedBy }));
        var widths = rows[0].Select((_, c) => rows.Max(r => r[c].Length)).ToArray();
        foreach (var row in rows)
        {
            text.AppendLine(string.Join("  ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
        }
        return text.ToString();
    }
}
