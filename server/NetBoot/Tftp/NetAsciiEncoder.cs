namespace EzioPxe.Server.NetBoot.Tftp;

/// <summary>
/// RFC 1350 netascii (RFC 764): LF becomes CR LF and a bare CR becomes CR NUL. Only sensible for
/// text (boot configs), so the whole content is converted in memory and large files are refused.
/// </summary>
public static class NetAsciiEncoder
{
    public const int MaxLength = 16 * 1024 * 1024;

    public static byte[]? TryEncode(TftpContent content)
    {
        if (content.Length > MaxLength)
        {
            return null;
        }
        var raw = new byte[content.Length];
        var read = content.Read(0, raw);
        var output = new List<byte>(read + read / 16);
        foreach (var b in raw.AsSpan(0, read))
        {
            if (b == (byte)'\n')
            {
                output.Add((byte)'\r');
                output.Add((byte)'\n');
            }
            else if (b == (byte)'\r')
            {
                output.Add((byte)'\r');
                output.Add(0);
            }
            else
            {
                output.Add(b);
            }
        }
        return output.ToArray();
    }
}
