using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using System.Text;

namespace EzioPxe.Server.NetBoot.Dhcp;

/// <summary>
/// A parsed DHCP/BOOTP message (RFC 2131 section 2): the fixed 236-byte header, the magic cookie,
/// then options as code/length/value. The packet is copied once; options are found through an
/// index of (offset, length) pairs, so reading one allocates nothing.
/// </summary>
public sealed class DhcpMessage
{
    public const int FixedHeaderLength = 236;
    public const int MinLength = FixedHeaderLength + 4;

    /// <summary>Larger than any sane DHCP message (RFC 2131 allows up to the path MTU); bigger ones are refused.</summary>
    public const int MaxLength = 4096;

    public const byte BootRequest = 1;
    public const byte BootReply = 2;

    private static ReadOnlySpan<byte> MagicCookie => [99, 130, 83, 99];

    private readonly byte[] _packet;
    private readonly (ushort Offset, byte Length, bool Present)[] _options;

    private DhcpMessage(byte[] packet, (ushort, byte, bool)[] options)
    {
        _packet = packet;
        _options = options;
    }

    public byte Operation => _packet[0];

    public byte HardwareType => _packet[1];

    public byte HardwareAddressLength => _packet[2];

    public uint TransactionId => BinaryPrimitives.ReadUInt32BigEndian(_packet.AsSpan(4));

    public ushort Flags => BinaryPrimitives.ReadUInt16BigEndian(_packet.AsSpan(10));

    /// <summary>RFC 2131 figure 2: the client cannot receive unicast before it has an address.</summary>
    public bool BroadcastFlag => (Flags & 0x8000) != 0;

    public IPAddress ClientAddress => new(_packet.AsSpan(12, 4));

    public IPAddress RelayAddress => new(_packet.AsSpan(24, 4));

    public PhysicalAddress ClientHardwareAddress => new(_packet.AsSpan(28, Math.Min((int)HardwareAddressLength, 16)).ToArray());

    /// <summary>The whole message as received (the reply copies xid, flags, giaddr and chaddr from it).</summary>
    public ReadOnlySpan<byte> Raw => _packet;

    public DhcpMessageType? MessageType =>
        TryGetOption(DhcpOptionCode.MessageType, out var value) && value.Length == 1 ? (DhcpMessageType)value[0] : null;

    public bool TryGetOption(DhcpOptionCode code, out ReadOnlySpan<byte> value)
    {
        var (offset, length, present) = _options[(byte)code];
        value = present ? _packet.AsSpan(offset, length) : default;
        return present;
    }

    public IPAddress? GetAddressOption(DhcpOptionCode code) =>
        TryGetOption(code, out var value) && value.Length == 4 ? new IPAddress(value) : null;

    public string? GetTextOption(DhcpOptionCode code) =>
        TryGetOption(code, out var value) ? Encoding.ASCII.GetString(value) : null;

    /// <summary>Parses a client message; null with a reason for anything malformed.</summary>
    public static DhcpMessage? TryParse(ReadOnlySpan<byte> packet, out string error)
    {
        error = "";
        if (packet.Length < MinLength)
        {
            error = $"too short ({packet.Length} bytes, need {MinLength})";
            return null;
        }
        if (packet.Length > MaxLength)
        {
            error = $"too long ({packet.Length} bytes)";
            return null;
        }
        if (!packet.Slice(FixedHeaderLength, 4).SequenceEqual(MagicCookie))
        {
            error = "no DHCP magic cookie (plain BOOTP is not served)";
            return null;
        }
        if (packet[2] > 16)
        {
            error = $"hardware address length {packet[2]} > 16";
            return null;
        }
        var options = new (ushort, byte, bool)[256];
        var position = MinLength;
        while (position < packet.Length)
        {
            var code = packet[position];
            if (code == (byte)DhcpOptionCode.Pad)
            {
                position++;
                continue;
            }
            if (code == (byte)DhcpOptionCode.End)
            {
                break;
            }
            if (position + 1 >= packet.Length || position + 2 + packet[position + 1] > packet.Length)
            {
                error = $"option {code} runs past the end of the packet";
                return null;
            }
            var length = packet[position + 1];
            // RFC 3396 would concatenate a repeated option; no PXE client needs that, the first wins.
            if (!options[code].Item3)
            {
                options[code] = ((ushort)(position + 2), length, true);
            }
            position += 2 + length;
        }
        return new DhcpMessage(packet.ToArray(), options);
    }
}
