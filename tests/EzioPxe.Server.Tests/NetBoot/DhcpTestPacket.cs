using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using EzioPxe.Server.NetBoot.Dhcp;

namespace EzioPxe.Server.Tests.NetBoot;

/// <summary>Builds client DHCP messages the way PXE ROMs, iPXE and Linux clients send them.</summary>
internal sealed class DhcpTestPacket
{
    private readonly List<(byte Code, byte[] Value)> _options = [];

    public DhcpTestPacket(DhcpMessageType type, string mac = "52-54-00-12-34-56")
    {
        Mac = PhysicalAddress.Parse(mac.ToUpperInvariant());
        Option(DhcpOptionCode.MessageType, (byte)type);
    }

    public PhysicalAddress Mac { get; }

    public uint TransactionId { get; init; } = 0x1234abcd;

    public IPAddress ClientAddress { get; init; } = IPAddress.Any;

    public bool Broadcast { get; init; } = true;

    public DhcpTestPacket Option(DhcpOptionCode code, params byte[] value)
    {
        _options.Add(((byte)code, value));
        return this;
    }

    /// <summary>What a PXE ROM adds: vendor class, architecture, UNDI version, GUID.</summary>
    public DhcpTestPacket Pxe(ushort architecture, bool ipxe = false)
    {
        Option(DhcpOptionCode.VendorClass, System.Text.Encoding.ASCII.GetBytes($"PXEClient:Arch:{architecture:00000}:UNDI:002001"));
        Option(DhcpOptionCode.ClientArchitecture, (byte)(architecture >> 8), (byte)architecture);
        Option(DhcpOptionCode.ClientNetworkInterface, 1, 2, 1);
        Option(DhcpOptionCode.ClientMachineId, [0, .. Enumerable.Range(1, 16).Select(i => (byte)i)]);
        if (ipxe)
        {
            Option(DhcpOptionCode.UserClass, "iPXE"u8.ToArray());
        }
        return this;
    }

    /// <summary>What EDK2's HttpBootDxe sends: vendor class "HTTPClient:Arch:00016:UNDI:003001" and architecture 16.</summary>
    public DhcpTestPacket Http(ushort architecture = 16)
    {
        Option(DhcpOptionCode.VendorClass, System.Text.Encoding.ASCII.GetBytes($"HTTPClient:Arch:{architecture:00000}:UNDI:003001"));
        Option(DhcpOptionCode.ClientArchitecture, (byte)(architecture >> 8), (byte)architecture);
        Option(DhcpOptionCode.ClientNetworkInterface, 1, 3, 1);
        return this;
    }

    public byte[] ToBytes()
    {
        var packet = new List<byte>(new byte[DhcpMessage.FixedHeaderLength]);
        packet[0] = 1;
        packet[1] = 1;
        packet[2] = 6;
        var header = packet.ToArray();
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), TransactionId);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(10), (ushort)(Broadcast ? 0x8000 : 0));
        ClientAddress.TryWriteBytes(header.AsSpan(12), out _);
        Mac.GetAddressBytes().CopyTo(header, 28);
        var bytes = new List<byte>(header) { 99, 130, 83, 99 };
        foreach (var (code, value) in _options)
        {
            bytes.Add(code);
            bytes.Add((byte)value.Length);
            bytes.AddRange(value);
        }
        bytes.Add(255);
        return [.. bytes];
    }

    public DhcpMessage Parse() => DhcpMessage.TryParse(ToBytes(), out var error) ?? throw new InvalidOperationException(error);
}
