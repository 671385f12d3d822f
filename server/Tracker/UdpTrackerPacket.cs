using System.Buffers.Binary;
using System.Text;

namespace EzioPxe.Server.Tracker;

/// <summary>
/// BEP 15 (UDP tracker) packet layout: big-endian fields at fixed offsets. A request starts with
/// connection id (8), action (4), transaction id (4); a reply with action (4), transaction id (4).
/// </summary>
public static class UdpTrackerPacket
{
    /// <summary>The "connection id" of a connect request: BEP 15's magic constant.</summary>
    public const long ProtocolId = 0x41727101980;

    public const int Connect = 0;
    public const int Announce = 1;
    public const int Scrape = 2;
    public const int Error = 3;

    public const int ConnectRequestLength = 16;
    public const int AnnounceRequestLength = 98;
    public const int ScrapeHeaderLength = 16;

    public static long ConnectionId(ReadOnlySpan<byte> request) => BinaryPrimitives.ReadInt64BigEndian(request);

    public static int Action(ReadOnlySpan<byte> request) => BinaryPrimitives.ReadInt32BigEndian(request[8..]);

    public static int TransactionId(ReadOnlySpan<byte> request) => BinaryPrimitives.ReadInt32BigEndian(request[12..]);

    public static int WriteConnectReply(Span<byte> reply, int transactionId, long connectionId)
    {
        BinaryPrimitives.WriteInt32BigEndian(reply, Connect);
        BinaryPrimitives.WriteInt32BigEndian(reply[4..], transactionId);
        BinaryPrimitives.WriteInt64BigEndian(reply[8..], connectionId);
        return 16;
    }

    public static int WriteError(Span<byte> reply, int transactionId, string message)
    {
        BinaryPrimitives.WriteInt32BigEndian(reply, Error);
        BinaryPrimitives.WriteInt32BigEndian(reply[4..], transactionId);
        var length = Encoding.UTF8.GetBytes(message.AsSpan(0, Math.Min(message.Length, (reply.Length - 8) / 3)), reply[8..]);
        return 8 + length;
    }
}
