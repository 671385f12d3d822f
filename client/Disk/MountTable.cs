using System.Text;

namespace EzioPxe.Client.Disk;

/// <summary>Reads the kernel's lists of what is in use: /proc/self/mountinfo and /proc/swaps.</summary>
public static class MountTable
{
    /// <summary>
    /// Parses mountinfo (proc(5)): "36 35 98:0 /root /mnt rw - ext4 /dev/sda1 rw". Paths have
    /// space, tab, newline and backslash written as octal escapes (\040).
    /// </summary>
    public static List<MountEntry> ReadMountInfo(string path = "/proc/self/mountinfo")
    {
        var entries = new List<MountEntry>();
        foreach (var line in File.ReadLines(path))
        {
            var fields = line.Split(' ');
            var separator = Array.IndexOf(fields, "-");
            if (fields.Length < 5 || separator < 0 || separator + 2 >= fields.Length || !DeviceNumber.TryParse(fields[2], out var device))
            {
                continue;
            }
            entries.Add(new MountEntry(device, Unescape(fields[4]), fields[separator + 1], Unescape(fields[separator + 2])));
        }
        return entries;
    }

    /// <summary>The file names of active swap areas (devices or files), from /proc/swaps.</summary>
    public static List<string> ReadSwaps(string path = "/proc/swaps")
    {
        // The first line is the header; the name is the first column (escaped like mountinfo).
        return File.ReadLines(path).Skip(1)
            .Select(l => l.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length > 0)
            .Select(f => Unescape(f[0]))
            .ToList();
    }

    private static string Unescape(string text)
    {
        if (!text.Contains('\\', StringComparison.Ordinal))
        {
            return text;
        }
        var bytes = new List<byte>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 3 < text.Length && IsOctal(text[i + 1]) && IsOctal(text[i + 2]) && IsOctal(text[i + 3]))
            {
                bytes.Add((byte)(((text[i + 1] - '0') << 6) | ((text[i + 2] - '0') << 3) | (text[i + 3] - '0')));
                i += 3;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(text[i].ToString()));
            }
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static bool IsOctal(char c) => c is >= '0' and <= '7';
}
