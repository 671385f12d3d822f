namespace EzioPxe.Server.NetBoot.Tftp;

/// <summary>Either content to send or the TFTP error to answer with.</summary>
public readonly record struct TftpOpenResult(TftpContent? Content, TftpErrorCode Error, string Message)
{
    public static TftpOpenResult Ok(TftpContent content) => new(content, TftpErrorCode.NotDefined, "");

    public static TftpOpenResult Fail(TftpErrorCode error, string message) => new(null, error, message);
}
