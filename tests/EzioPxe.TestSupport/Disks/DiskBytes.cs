using System.Security.Cryptography;

namespace EzioPxe.TestSupport.Disks;

/// <summary>Seeded pseudo-random bytes written into image files and files, read back and hashed: the disk tests' raw material.</summary>
public static class DiskBytes
{
    /// <summary>Writes <paramref name="length"/> bytes from <paramref name="seed"/> at <paramref name="offset"/> of an existing file.</summary>
    public static void WriteRandom(string path, long offset, int length, int seed)
    {
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Write);
        RandomAccess.Write(file, Random(length, seed), offset);
    }

    /// <summary>Creates (or replaces) a file of <paramref name="size"/> bytes from <paramref name="seed"/>; returns its SHA-256.</summary>
    public static string WriteRandomFile(string path, int size, int seed)
    {
        var data = Random(size, seed);
        File.WriteAllBytes(path, data);
        return Sha256(data);
    }

    public static byte[] Read(string path, long offset, int length)
    {
        var data = new byte[length];
        using var file = File.OpenHandle(path);
        RandomAccess.Read(file, data, offset);
        return data;
    }

    public static string Sha256(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>Name -> SHA-256 of every file directly in <paramref name="directory"/>.</summary>
    public static Dictionary<string, string> HashDirectory(string directory) =>
        Directory.GetFiles(directory).ToDictionary(f => Path.GetFileName(f), f => Sha256(File.ReadAllBytes(f)));

    private static byte[] Random(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }
}
