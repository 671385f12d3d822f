using System.Security.Cryptography;
using System.Text;

namespace EzioPxe.Engine.Peers;

/// <summary>Peer ids in the Azureus style ("-EZ0100-" and 12 random bytes), so other clients can tell who we are.</summary>
public static class PeerId
{
    public static byte[] Create()
    {
        var id = new byte[20];
        Encoding.ASCII.GetBytes("-EZ0100-").CopyTo(id, 0);
        RandomNumberGenerator.Fill(id.AsSpan(8));
        return id;
    }

    /// <summary>A printable form for logs: the ASCII prefix when there is one, otherwise hex.</summary>
    public static string Describe(ReadOnlySpan<byte> id)
    {
        if (id.Length == 20 && id[0] == '-' && id[7] == '-')
        {
            return Encoding.ASCII.GetString(id[..8]) + Convert.ToHexStringLower(id[8..12]);
        }
        return Convert.ToHexStringLower(id[..Math.Min(8, id.Length)]);
    }
}
