using System.Diagnostics.CodeAnalysis;

namespace EzioPxe.Contracts.Jobs;

/// <summary>Parsers of the job's text values (<c>ezio.job</c>, <c>ezio.torrent</c>, <c>ezio.disk</c>).</summary>
public static class JobValues
{
    /// <summary><c>ezio.disk=auto</c>: the client picks the one fixed disk that fits (docs/client.md).</summary>
    public const string AutoDisk = "auto";

    /// <summary>Job and image names are parts of URLs: letters, digits, '.', '_', '-'.</summary>
    public static bool TryParseJobName(string text, [MaybeNullWhen(false)] out string name, [NotNullWhen(false)] out string? error)
    {
        if (IsUrlSafeName(text))
        {
            name = text;
            error = null;
            return true;
        }
        name = null;
        error = $"'{text}' is not a job name (letters, digits, '.', '_', '-')";
        return false;
    }

    /// <summary><c>ezio.image</c>: the name a captured image gets on the server (a file name and part of URLs).</summary>
    public static bool TryParseImageName(string text, [MaybeNullWhen(false)] out string name, [NotNullWhen(false)] out string? error)
    {
        if (IsUrlSafeName(text))
        {
            name = text;
            error = null;
            return true;
        }
        name = null;
        error = $"'{text}' is not an image name (letters, digits, '.', '_', '-')";
        return false;
    }

    /// <summary><c>ezio.overwrite</c>: yes/no (also true/false, 1/0), any case.</summary>
    public static bool TryParseYesNo(string text, out bool value, [NotNullWhen(false)] out string? error)
    {
        error = null;
        switch (text.ToLowerInvariant())
        {
            case "yes" or "true" or "1":
                value = true;
                return true;
            case "no" or "false" or "0":
                value = false;
                return true;
        }
        value = false;
        error = $"'{text}' is not yes or no";
        return false;
    }

    /// <summary>A non-empty name of letters, digits, '.', '_' and '-' that is not "." or "..".</summary>
    public static bool IsUrlSafeName(string name) =>
        name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-') && name is not ("." or "..");

    /// <summary>An absolute http(s) URL, or a path on the server starting with '/'.</summary>
    public static bool TryParseTorrentUrl(string text, [MaybeNullWhen(false)] out Uri url, [NotNullWhen(false)] out string? error)
    {
        error = null;
        if (text.StartsWith('/') && Uri.TryCreate(text, UriKind.Relative, out url))
        {
            return true;
        }
        if (Uri.TryCreate(text, UriKind.Absolute, out url) && url.Scheme is "http" or "https")
        {
            return true;
        }
        url = null;
        error = $"'{text}' is not an http:// or https:// URL or a /path on the server";
        return false;
    }

    /// <summary>Highest <c>ezio.part</c>: GPT's usual 128 entries, MBR logical partitions up to the kernel's 256 minors.</summary>
    public const int MaxPartition = 256;

    /// <summary><c>ezio.part=N</c>: the partition number (as Linux numbers them: sda2 is 2) on the chosen disk that a partition image goes to.</summary>
    public static bool TryParsePartition(string text, out int number, [NotNullWhen(false)] out string? error)
    {
        if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out number) && number >= 1 && number <= MaxPartition)
        {
            error = null;
            return true;
        }
        number = 0;
        error = $"'{text}' is not a partition number (1 to {MaxPartition}, as Linux numbers them: 2 for /dev/sda2)";
        return false;
    }

    /// <summary>"auto", an absolute path, or a bare /dev/disk/by-id or by-path name (no '/').</summary>
    public static bool TryParseDisk(string text, [MaybeNullWhen(false)] out string disk, [NotNullWhen(false)] out string? error)
    {
        if (text == AutoDisk
            || (text.StartsWith('/') && text.Length > 1 && !text.Any(char.IsWhiteSpace))
            || (text.Length > 0 && text is not ("." or "..") && !text.Contains('/', StringComparison.Ordinal) && !text.Any(char.IsWhiteSpace)))
        {
            disk = text;
            error = null;
            return true;
        }
        disk = null;
        error = $"'{text}' is not auto, a /dev path or a /dev/disk/by-id or by-path name (like ata-ST500DM002_Z3T1)";
        return false;
    }

    /// <summary>A report key (<c>ezio.key</c>): 32 hex digits, as the server derives it.</summary>
    public static bool TryParseKey(string text, [MaybeNullWhen(false)] out string key, [NotNullWhen(false)] out string? error)
        => TryParseHex(text, 32, "a report key", out key, out error);

    /// <summary>An info-hash (<c>ezio.infohash</c>): 40 hex digits (SHA-1 of the torrent's info dictionary).</summary>
    public static bool TryParseInfoHash(string text, [MaybeNullWhen(false)] out string infoHash, [NotNullWhen(false)] out string? error)
        => TryParseHex(text, 40, "an info-hash", out infoHash, out error);

    /// <summary>
    /// <c>ezio.serverwait</c>: how many seconds the client keeps retrying the job and torrent while the
    /// server is unreachable (a server restarting while a room boots), 0 to 86400.
    /// </summary>
    public static bool TryParseServerWait(string text, out TimeSpan wait, [NotNullWhen(false)] out string? error)
    {
        if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds <= 86400)
        {
            wait = TimeSpan.FromSeconds(seconds);
            error = null;
            return true;
        }
        wait = default;
        error = $"'{text}' is not a number of seconds from 0 to 86400";
        return false;
    }

    private static bool TryParseHex(string text, int digits, string what, [MaybeNullWhen(false)] out string value, [NotNullWhen(false)] out string? error)
    {
        if (text.Length == digits && text.All(char.IsAsciiHexDigit))
        {
            value = text.ToLowerInvariant();
            error = null;
            return true;
        }
        value = null;
        error = $"'{(text.Length > 64 ? text[..64] + "..." : text)}' is not {what} ({digits} hex digits)";
        return false;
    }
}
