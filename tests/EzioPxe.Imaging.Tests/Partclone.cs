using System.Globalization;
using EzioPxe.Imaging.Extents;
using EzioPxe.TestSupport;

namespace EzioPxe.Imaging.Tests;

/// <summary>
/// What partclone (the reference for "used blocks" that Clonezilla and EZIO rely on) copies: its
/// -D mode writes a ddrescue domain log whose "+" lines are exactly the byte ranges it would clone.
/// </summary>
internal static class Partclone
{
    public static List<Extent> UsedRanges(string tool, string device, string workDirectory)
    {
        var log = Path.Combine(workDirectory, Path.GetFileName(device) + ".domain");
        Tool.Run(tool, new[] { "-D", "-q", "-s", device, "-O", log }, TimeSpan.FromMinutes(2)).EnsureSuccess(tool);
        var ranges = new List<Extent>();
        foreach (var line in File.ReadLines(log))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (line.StartsWith('#') || fields.Length != 3 || fields[2] != "+")
            {
                continue;
            }
            ranges.Add(new Extent(
                long.Parse(fields[0][2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                long.Parse(fields[1][2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
        }
        var builder = new ExtentListBuilder();
        builder.AddRange(ranges);
        return builder.Build();
    }

    /// <summary>Bytes in <paramref name="a"/> that are not in <paramref name="b"/> (both sorted, merged).</summary>
    public static List<Extent> Minus(IReadOnlyList<Extent> a, IReadOnlyList<Extent> b)
    {
        var result = new List<Extent>();
        var j = 0;
        foreach (var extent in a)
        {
            var position = extent.Offset;
            while (j < b.Count && b[j].End <= position)
            {
                j++;
            }
            var k = j;
            while (position < extent.End)
            {
                if (k >= b.Count || b[k].Offset >= extent.End)
                {
                    result.Add(new Extent(position, extent.End - position));
                    break;
                }
                if (b[k].Offset > position)
                {
                    result.Add(new Extent(position, b[k].Offset - position));
                }
                position = Math.Max(position, b[k].End);
                k++;
            }
        }
        return result;
    }
}
