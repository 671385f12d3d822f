using EzioPxe.TestSupport.Disks;

namespace EzioPxe.Imaging.Tests;

/// <summary>Files with random content for filling test filesystems, and their checksums.</summary>
internal static class TestFiles
{
    /// <summary>Writes files of assorted sizes (empty, sub-block, multi-MiB) into <paramref name="directory"/>; returns name -> SHA-256.</summary>
    public static Dictionary<string, string> Write(string directory, int seed, int count = 6)
    {
        Directory.CreateDirectory(directory);
        var random = new Random(seed);
        var sizes = new[] { 0, 100, 4097, 65536 + 513, 1 << 20, (3 << 20) + 1234 };
        var result = new Dictionary<string, string>();
        for (var i = 0; i < count; i++)
        {
            var data = new byte[sizes[i % sizes.Length]];
            random.NextBytes(data);
            var name = $"file{i}.bin";
            File.WriteAllBytes(Path.Combine(directory, name), data);
            result[name] = DiskBytes.Sha256(data);
        }
        return result;
    }
}
