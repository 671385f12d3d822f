namespace EzioPxe.Server.NetBoot.Tftp;

/// <summary>Error codes of RFC 1350 appendix, plus 8 from RFC 2347 (option negotiation refused).</summary>
public enum TftpErrorCode : ushort
{
    NotDefined = 0,
    FileNotFound = 1,
    AccessViolation = 2,
    DiskFull = 3,
    IllegalOperation = 4,
    UnknownTransferId = 5,
    FileExists = 6,
    NoSuchUser = 7,
    OptionsRefused = 8,
}
