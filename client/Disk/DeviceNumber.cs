namespace EzioPxe.Client.Disk;

/// <summary>A block device's major:minor, as /sys and /proc/self/mountinfo write it ("8:16").</summary>
public readonly record struct DeviceNumber(uint Major, uint Minor)
{
    /// <summary>Splits a dev_t the way glibc's gnu_dev_major/gnu_dev_minor do (12-bit major, 20-bit minor, split across the word).</summary>
    public static DeviceNumber FromDevT(ulong dev) => new(
        (uint)(((dev >> 8) & 0xfff) | ((dev >> 32) & 0xfffff000)),
        (uint)((dev & 0xff) | ((dev >> 12) & 0xffffff00)));

    public static bool TryParse(string text, out DeviceNumber number)
    {
        var parts = text.Trim().Split(':');
        if (parts.Length == 2 && uint.TryParse(parts[0], out var major) && uint.TryParse(parts[1], out var minor))
        {
            number = new DeviceNumber(major, minor);
            return true;
        }
        number = default;
        return false;
    }

    public override string ToString() => $"{Major}:{Minor}";
}
