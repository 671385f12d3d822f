using EzioPxe.Engine.Bencode;

namespace EzioPxe.Engine.Wire;

/// <summary>
/// The BEP 10 handshake (extended message 0). We use it for "reqq", the number of outstanding
/// requests the peer accepts, which bounds how deep we may pipeline, and to tell our listen port.
/// </summary>
public sealed record ExtensionHandshake(string? Client, int? ListenPort, int? MaxOutstandingRequests)
{
    public byte[] Encode()
    {
        var root = new BDictionary();
        root.Set("m", new BDictionary());
        if (ListenPort is int port)
        {
            root.Set("p", port);
        }
        if (MaxOutstandingRequests is int reqq)
        {
            root.Set("reqq", reqq);
        }
        if (Client != null)
        {
            root.Set("v", Client);
        }
        return BencodeWriter.Encode(root);
    }

    public static ExtensionHandshake Parse(ReadOnlyMemory<byte> payload)
    {
        BValue value;
        try
        {
            value = BencodeParser.Parse(payload, new BencodeLimits { MaxDepth = 8, MaxStringLength = 64 * 1024, MaxValues = 10_000 });
        }
        catch (BencodeException e)
        {
            throw new PeerProtocolException("bad extension handshake: " + e.Message);
        }
        if (value is not BDictionary root)
        {
            throw new PeerProtocolException("extension handshake is not a dictionary");
        }
        var reqq = root.GetInteger("reqq")?.Value;
        var port = root.GetInteger("p")?.Value;
        return new ExtensionHandshake(
            root.GetString("v")?.Text,
            port is > 0 and < 65536 ? (int)port : null,
            reqq is > 0 ? (int)Math.Min(reqq.Value, 100_000) : null);
    }
}
