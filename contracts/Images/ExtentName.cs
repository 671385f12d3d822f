using System.Globalization;
using EzioPxe.Engine.Metainfo;

namespace EzioPxe.Contracts.Images;

/// <summary>
/// The EZIO/Clonezilla naming convention, the one codec server and client share: a torrent
/// file's name is the byte offset on the target where its bytes go, in hexadecimal. partclone
/// writes 32 zero-padded lower-case digits (<c>%032llx</c>); any number of hex digits is accepted
/// when reading. A file with several path segments is placed by its last one (the folders are
/// only the torrent's name), so that server and client agree on every layout.
/// </summary>
public static class ExtentName
{
    /// <summary>The disk offset encoded in <paramref name="file"/>'s name; <see cref="InvalidTorrentException"/> naming the file otherwise.</summary>
    public static long Parse(TorrentFile file)
    {
        if (TryParse(file, out var offset))
        {
            return offset;
        }
        throw new InvalidTorrentException(
            $"file '{file.Path}' is not named by its disk offset: an image torrent's file names must be hexadecimal byte offsets (like 00000000000000000000000000100000), below 2^63");
    }

    /// <summary>The disk offset encoded in the last path segment of <paramref name="file"/>.</summary>
    public static bool TryParse(TorrentFile file, out long offset)
    {
        offset = 0;
        return file.PathSegments.Count > 0 && TryParse(file.PathSegments[^1], out offset);
    }

    public static bool TryParse(ReadOnlySpan<char> name, out long offset)
    {
        offset = 0;
        if (name.IsEmpty)
        {
            return false;
        }
        foreach (var c in name)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }
        var significant = name.TrimStart('0');
        if (significant.IsEmpty)
        {
            return true;
        }
        return significant.Length <= 16
            && long.TryParse(significant, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out offset)
            && offset >= 0;
    }

    /// <summary>The name partclone and our image scanner give an extent: 32 lower-case hex digits.</summary>
    public static string Format(long offset) => offset.ToString("x32", CultureInfo.InvariantCulture);
}
