using System.Globalization;
using EzioPxe.TestSupport;

namespace EzioPxe.Server.Tests.Seeding;

/// <summary>
/// A small sparse disk image for the serve tests: an MBR with one ext4 partition, made by sfdisk
/// and mkfs.ext4 straight into the file (-E offset, -d to fill it): no loop device, well under a second.
/// </summary>
internal static class TestImage
{
    public const long DiskSize = 64L << 20;

    /// <summary>Creates the image at <paramref name="path"/> with <paramref name="dataBytes"/> of random files in its filesystem.</summary>
    public static string Create(string path, int seed, long dataBytes = 6L << 20)
    {
        using (var file = File.Create(path))
        {
            file.SetLength(DiskSize);
        }
        Tool.Run("sfdisk", new[] { "-q", "--no-reread", "--no-tell-kernel", path }, TimeSpan.FromMinutes(1), standardInput: "label: dos\n,,83\n")
            .EnsureSuccess("sfdisk");
        var content = path + ".content";
        Directory.CreateDirectory(content);
        var random = new Random(seed);
        var written = 0L;
        for (var i = 0; written < dataBytes; i++)
        {
            var data = new byte[Math.Min(dataBytes - written, (2 << 20) + 4321 * i)];
            random.NextBytes(data);
            File.WriteAllBytes(Path.Combine(content, $"file{i}.bin"), data);
            written += data.Length;
        }
        var partitionBytes = DiskSize - (1 << 20);
        Tool.Run("mkfs.ext4", "-q", "-F", "-E", "offset=1048576", "-d", content, path,
            (partitionBytes / 1024).ToString(CultureInfo.InvariantCulture) + "k").EnsureSuccess("mkfs.ext4");
        Directory.Delete(content, recursive: true);
        return path;
    }

    public static byte[] Read(string path, long offset, int length)
    {
        using var handle = File.OpenHandle(path);
        var buffer = new byte[length];
        var done = 0;
        while (done < length)
        {
            var read = RandomAccess.Read(handle, buffer.AsSpan(done), offset + done);
            if (read == 0)
            {
                break;
            }
            done += read;
        }
        return buffer;
    }
}
