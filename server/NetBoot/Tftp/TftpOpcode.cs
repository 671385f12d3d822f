namespace EzioPxe.Server.NetBoot.Tftp;

/// <summary>The first two bytes of every TFTP packet (RFC 1350 section 5, RFC 2347 for OACK).</summary>
public enum TftpOpcode : ushort
{
    ReadRequest = 1,
    WriteRequest = 2,
    Data = 3,
    Ack = 4,
    Error = 5,
    OptionAck = 6,
}
