using System.Globalization;

namespace EzioPxe.Client.Disk;

/// <summary>Sizes for people: decimal units as disk vendors print them on the label.</summary>
public static class ByteSize
{
    public static string Format(long bytes)
    {
        string[] units = ["B", "kB", "MB", "GB", "TB", "PB"];
        double value = bytes;
        var unit = 0;
        while (Math.Abs(value) >= 1000 && unit < units.Length - 1)
        {
            value /= 1000;
            unit++;
        }
        return unit == 0 ? $"{bytes} B" : value.ToString("0.0", CultureInfo.InvariantCulture) + " " + units[unit];
    }
}
