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

    /// <summary>
    /// The largest timeout option (RFC 2349) accepted; a larger one is left out of the OACK (the
    /// RFC allows no other answer) and <see cref="RetransmitTimeout"/> applies. A client asking
    /// 255 s and never answering would otherwise hold its transfer for half an hour.
    /// </summary>
    public int MaxTimeoutSeconds { get; init; } = 5;

    /// <summary>
    /// Until the client's first ACK, the transfer waits <see cref="RetransmitTimeout"/> (not the
    /// negotiated timeout) this many times: a request nobody acknowledges frees its slot in seconds.
    /// </summary>
    public int UnacknowledgedRetransmissions { get; init; } = 2;

    /// <summary>Which client addresses are answered at all (Server:AllowedNetworks); null answers everyone.</summary>
    public Func<IPAddress, bool>? AllowedClients { get; init; }

    /// <summary>Why a file is not for this client (a machine's own menu asked from another address), or null; null: no such rule.</summary>
    public Func<string, IPAddress, string?>? RefuseFile { get; init; }

    /// <summary>Transfers one client address may run at once (a booting machine needs one).</summary>
    public int MaxTransfersPerClient { get; init; } = 4;

    /// <summary>Transfers running at once; further requests are answered with an error until one ends.</summary>
    public int MaxConcurrentTransfers { get; init; } = 512;
}
