using System.Globalization;

namespace EzioPxe.Imaging.Torrent;

/// <summary>The partition table an administrator reads after `image create` and `image inspect`.</summary>
public static class ImageReport
{
    public static void Write(TextWriter output, ImageLayout layout, long diskSize, long travellingBytes)
    {
        output.WriteLine($"Disk: {Size(diskSize)} ({diskSize} bytes), partition table: {layout.PartitionTable}");
        output.WriteLine($"  {"#",3}  {"start",10}  {"size",10}  {"type",-36}  {"filesystem",-10}  {"label",-12}  {"used",10}");
        foreach (var p in layout.Partitions)
        {
            var used = Size(p.UsedBytes) + (p.KeptWhole ? "*" : "");
            output.WriteLine($"  {p.Index,3}  {Size(p.Start),10}  {Size(p.Length),10}  {p.Type,-36}  {p.FileSystem,-10}  {Truncate(p.Label, 12),-12}  {used,10}");
        }
        output.WriteLine($"  outside partitions (partition tables, boot loader gap): {Size(layout.OutsidePartitionsBytes)}");
        if (layout.Partitions.Any(p => p.KeptWhole))
        {
            output.WriteLine("  * kept whole minus runs of zeros (filesystem unknown or damaged)");
        }
        foreach (var note in layout.Notes)
        {
            output.WriteLine($"note: {note}");
        }
        if (layout.ZeroedBytes > 0)
        {
            output.WriteLine($"Zeroed on the target, not sent: {Size(layout.ZeroedBytes)} (zero blocks of the areas above that must read as zeros)");
        }
        var share = diskSize == 0 ? 0 : 100.0 * travellingBytes / diskSize;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Travels: {Size(travellingBytes)} of {Size(diskSize)} ({share:0.##}% of the disk)"));
    }

    /// <summary>Binary units with one decimal: 512 B, 1.0 MiB, 465.8 GiB.</summary>
    public static string Size(long bytes)
    {
        string[] units = { "KiB", "MiB", "GiB", "TiB" };
        if (bytes < 1024)
        {
            return bytes.ToString(CultureInfo.InvariantCulture) + " B";
        }
        double value = bytes;
        var unit = -1;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return value.ToString("0.0", CultureInfo.InvariantCulture) + " " + units[unit];
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "~";
}
