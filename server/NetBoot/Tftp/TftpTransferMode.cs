namespace EzioPxe.Server.NetBoot.Tftp;

/// <summary>RFC 1350 transfer modes. "mail" is obsolete and refused.</summary>
public enum TftpTransferMode
{
    Octet,
    NetAscii,
}
