using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace EzioPxe.Server.NetBoot.Dhcp;

/// <summary>
/// Builds a reply into a caller-owned buffer: header fields copied from the request as RFC 2131
/// table 3 says (xid, flags, giaddr, chaddr), then options, END, and padding to 300 bytes because
/// some BOOTP-era PXE ROMs drop shorter replies.
/// </summary>
public ref struct DhcpReplyWriter
{
    public const int MinReplyLength = 300;
    public const int BufferLength = 1024;

    private readonly Span<byte> _buffer;
    private int _length;

    public DhcpReplyWriter(Span<byte> buffer, DhcpMessage request, DhcpMessageType type)
    {
        if (buffer.Length < BufferLength)
        {
            throw new ArgumentException($"reply buffer must hold {BufferLength} bytes", nameof(buffer));
        }
        _buffer = buffer;
        _buffer[..BufferLength].Clear();
        var raw = request.Raw;
        _buffer[0] = DhcpMessage.BootReply;
        _buffer[1] = raw[1];
        _buffer[2] = raw[2];
        raw.Slice(4, 4).CopyTo(_buffer[4..]);   // xid
        raw.Slice(10, 2).CopyTo(_buffer[10..]); // flags
        raw.Slice(24, 4).CopyTo(_buffer[24..]); // giaddr
        raw.Slice(28, 16).CopyTo(_buffer[28..]); // chaddr
        _buffer[236] = 99;
        _buffer[237] = 130;
        _buffer[238] = 83;
        _buffer[239] = 99;
        _length = DhcpMessage.MinLength;
        AddOption(DhcpOptionCode.MessageType, [(byte)type]);
    }

    public readonly void SetClientAddress(IPAddress address) => address.TryWriteBytes(_buffer[12..16], out _);

    public readonly void SetYourAddress(IPAddress address) => address.TryWriteBytes(_buffer[16..20], out _);

    /// <summary>siaddr: the "next server" the client fetches its boot file from by TFTP.</summary>
    public readonly void SetNextServer(IPAddress address) => address.TryWriteBytes(_buffer[20..24], out _);

    /// <summary>The boot file goes into the 128-byte file field when it fits, and always into option 67.</summary>
    public void SetBootFile(string bootFile)
    {
        var bytes = Encoding.ASCII.GetBytes(bootFile);
        if (bytes.Length < 128)
        {
            bytes.CopyTo(_buffer[108..]);
        }
        AddOption(DhcpOptionCode.BootFileName, bytes.AsSpan(0, Math.Min(bytes.Length, 255)));
    }

    public void AddOption(DhcpOptionCode code, scoped ReadOnlySpan<byte> value)
    {
        if (value.Length > 255)
        {
            throw new ArgumentException($"DHCP option {code} longer than 255 bytes");
        }
        if (_length + 2 + value.Length + 1 > BufferLength)
        {
            throw new InvalidOperationException("DHCP reply does not fit in one message");
        }
        _buffer[_length] = (byte)code;
        _buffer[_length + 1] = (byte)value.Length;
        value.CopyTo(_buffer[(_length + 2)..]);
        _length += 2 + value.Length;
    }

    public void AddAddress(DhcpOptionCode code, IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        AddOption(code, bytes);
    }

    public void AddSeconds(DhcpOptionCode code, TimeSpan duration)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)Math.Clamp(duration.TotalSeconds, 0, uint.MaxValue));
        AddOption(code, bytes);
    }

    /// <summary>Writes END and pads; returns the reply length.</summary>
    public int Finish()
    {
        _buffer[_length++] = (byte)DhcpOptionCode.End;
        return Math.Max(_length, MinReplyLength);
    }
}
