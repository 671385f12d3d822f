using System.Net;

namespace EzioPxe.Server.NetBoot.Tftp;

/// <summary>Settings of the read-only TFTP server.</summary>
public sealed record TftpServerOptions
{
    /// <summary>Address to listen on; Any listens on every interface.</summary>
    public IPAddress ListenAddress { get; init; } = IPAddress.Any;

    /// <summary>69 in production; 0 picks a free port (tests read <see cref="TftpServer.LocalEndPoint"/>).</summary>
    public int Port { get; init; } = 69;

    /// <summary>Directory served; nothing outside it is ever read.</summary>
    public required string Root { get; init; }

    /// <summary>
    /// Optional second directory, served under "boot/" with the same confinement: `eziopxe serve`
    /// points it at Server:BootDirectory so GRUB (which has only TFTP in Debian's signed image)
    /// reads the kernel and initramfs from where HTTP serves them, without copies.
    /// </summary>
    public string? BootDirectory { get; init; }

    /// <summary>Upper bound for the blksize option (RFC 2348). Larger requests are answered with this.</summary>
    public int MaxBlockSize { get; init; } = TftpNegotiation.MaxBlockSize;

    /// <summary>Upper bound for the windowsize option (RFC 7440).</summary>
    public int MaxWindowSize { get; init; } = 64;

    /// <summary>How long to wait for an ACK before sending the window again, unless the client sets timeout (RFC 2349).</summary>
    public TimeSpan RetransmitTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Retransmissions of one window before the transfer is abandoned.</summary>
    public int MaxRetransmissions { get; init; } = 5;

    /// <summary>Transfers running at once; further requests are answered with an error until one ends.</summary>
    public int MaxConcurrentTransfers { get; init; } = 512;
}
