using System.Buffers.Binary;
using System.Text;

namespace EzioPxe.Server.NetBoot.Tftp;

/// <summary>Writes and reads the small fixed-format TFTP packets into caller-owned buffers.</summary>
public static class TftpPacket
{
    public const int HeaderLength = 4;

    /// <summary>Writes the 4-byte DATA header in front of a payload already placed at buffer[4..].</summary>
    public static void WriteDataHeader(Span<byte> buffer, ushort block)
    {
        BinaryPrimitives.WriteUInt16BigEndian(buffer, (ushort)TftpOpcode.Data);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[2..], block);
    }

    public static int WriteError(Span<byte> buffer, TftpErrorCode code, string message)
    {
        BinaryPrimitives.WriteUInt16BigEndian(buffer, (ushort)TftpOpcode.Error);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[2..], (ushort)code);
        var length = 4 + Encoding.ASCII.GetBytes(message.AsSpan(0, Math.Min(message.Length, 200)), buffer[4..]);
        buffer[length] = 0;
        return length + 1;
    }

    public static int WriteOptionAck(Span<byte> buffer, IReadOnlyList<KeyValuePair<string, string>> options)
    {
        BinaryPrimitives.WriteUInt16BigEndian(buffer, (ushort)TftpOpcode.OptionAck);
        var length = 2;
        foreach (var (name, value) in options)
        {
            length += Encoding.ASCII.GetBytes(name, buffer[length..]);
            buffer[length++] = 0;
            length += Encoding.ASCII.GetBytes(value, buffer[length..]);
            buffer[length++] = 0;
        }
        return length;
    }

    /// <summary>Reads an ACK's block number; false for anything that is not a well-formed ACK.</summary>
    public static bool TryReadAck(ReadOnlySpan<byte> packet, out ushort block)
    {
        block = 0;
        if (packet.Length < 4 || BinaryPrimitives.ReadUInt16BigEndian(packet) != (ushort)TftpOpcode.Ack)
        {
            return false;
        }
        block = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        return true;
    }

    /// <summary>True when the packet is an ERROR: the client gave up (e.g. code 8, options refused).</summary>
    public static bool IsError(ReadOnlySpan<byte> packet) =>
        packet.Length >= 4 && BinaryPrimitives.ReadUInt16BigEndian(packet) == (ushort)TftpOpcode.Error;
}
