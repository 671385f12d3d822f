namespace EzioPxe.Client.Tests.Initramfs;

/// <summary>The "key value" lines initramfs/build.sh writes to initramfs.txt beside the image.</summary>
public sealed class BuildInfo
{
    private readonly Dictionary<string, string> _values;

    private BuildInfo(Dictionary<string, string> values) => _values = values;

    public static BuildInfo Read(string path)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadAllLines(path))
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space > 0)
            {
                // Repeated keys (firmware-not-on-build-host) keep the first; nothing here reads them.
                values.TryAdd(line[..space], line[(space + 1)..]);
            }
        }
        return new BuildInfo(values);
    }

    public string this[string key] =>
        _values.TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"initramfs.txt has no '{key}' line");

    /// <summary>The kernel release, e.g. 6.1.0-56-amd64, from "kernel 6.1.0-56-amd64 (package ...)".</summary>
    public string KernelVersion => this["kernel"].Split(' ')[0];
}
