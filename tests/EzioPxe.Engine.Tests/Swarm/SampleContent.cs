using EzioPxe.Engine.Metainfo;

namespace EzioPxe.Engine.Tests.Swarm;

/// <summary>A directory of random files of awkward sizes and its torrent, for transfer tests.</summary>
internal static class SampleContent
{
    /// <summary>Writes files under <paramref name="directory"/>/<paramref name="name"/> and returns the torrent's bytes.</summary>
    public static byte[] Create(string directory, string name, long[] sizes, int pieceLength, string? announce = null, int seed = 42)
    {
        var root = Path.Combine(directory, name);
        Directory.CreateDirectory(Path.Combine(root, "sub"));
        var random = new Random(seed);
        var buffer = new byte[1 << 20];
        for (var i = 0; i < sizes.Length; i++)
        {
            var path = Path.Combine(root, i % 2 == 0 ? $"file{i}.bin" : Path.Combine("sub", $"file{i}.bin"));
            using var stream = File.Create(path);
            for (var left = sizes[i]; left > 0; left -= buffer.Length)
            {
                random.NextBytes(buffer);
                stream.Write(buffer, 0, (int)Math.Min(left, buffer.Length));
            }
        }
        return TorrentBuilder.FromDirectory(root, pieceLength, announce);
    }

    /// <summary>Asserts two directory trees hold the same files with the same bytes.</summary>
    public static void AssertSameTree(string expected, string actual)
    {
        var expectedFiles = Directory.EnumerateFiles(expected, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(expected, f)).Order().ToList();
        var actualFiles = Directory.EnumerateFiles(actual, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(actual, f)).Order().ToList();
        Assert.Equal(expectedFiles, actualFiles);
        foreach (var file in expectedFiles)
        {
            Assert.True(File.ReadAllBytes(Path.Combine(expected, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(actual, file))), $"{file} differs");
        }
    }
}
