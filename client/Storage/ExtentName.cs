using System.Globalization;
using EzioPxe.Engine.Metainfo;

namespace EzioPxe.Client.Storage;

/// <summary>
/// The EZIO/Clonezilla naming convention: a torrent file's name (its last path segment) is the
/// byte offset on the target where its bytes go, in hexadecimal. partclone writes 32 zero-padded
/// lower-case digits (<c>%032llx</c>); any number of hex digits is accepted here.
/// </summary>
public static class ExtentName
{
    /// <summary>The disk offset encoded in <paramref name="file"/>'s name; <see cref="InvalidTorrentException"/> naming the file otherwise.</summary>
    public static long Parse(TorrentFile file)
    {
        var name = file.PathSegments.Count > 0 ? file.PathSegments[^1] : "";
        if (TryParse(name, out var offset))
        {
            return offset;
        }
        throw new InvalidTorrentException(
            $"file '{file.Path}' is not named by its disk offset: an image torrent's file names must be hexadecimal byte offsets (like 00000000000000000000000000100000), below 2^63");
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
