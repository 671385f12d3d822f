namespace EzioPxe.Server.Configuration;

/// <summary>The "Server" section: where the server listens and keeps its files.</summary>
public sealed class ServerOptions
{
    /// <summary>The IP address HTTP, the tracker and the origin seeder bind to; 0.0.0.0 for every interface.</summary>
    public string Address { get; set; } = "0.0.0.0";

    /// <summary>
    /// The host name or address machines use to reach the server, written into torrent and job
    /// URLs. Null: the address the client's own request reached (right on every interface at once).
    /// </summary>
    public string? PublicAddress { get; set; }

    public int HttpPort { get; set; } = 8080;

    /// <summary>The TCP port of the origin seeder's BitTorrent listener.</summary>
    public int PeerPort { get; set; } = 6881;

    /// <summary>Where torrents created at start are written (unless an image names its own torrent path).</summary>
    public string DataDirectory { get; set; } = "/var/lib/eziopxe";

    /// <summary>Files served under /boot/ for iPXE HTTP boot (kernel, initramfs); null serves none.</summary>
    public string? BootDirectory { get; set; }

    /// <summary>
    /// Addresses or networks (10.0.0.5, 10.0.0.0/24) besides the server's own host that may arm and
    /// cancel tasks and wake machines over HTTP (POST /tasks, POST /wake). Empty: the server's host only.
    /// </summary>
    public List<string> ControlFrom { get; set; } = [];
    /// <summary>Where captured images are stored (NAME.img, NAME.torrent); null: DataDirectory/captures.</summary>
    public string? CaptureDirectory { get; set; }

    /// <summary>Let a capture replace a complete image of the same name even when its job does not say ezio.overwrite=yes.</summary>
    public bool CaptureOverwrite { get; set; }

    /// <summary>Largest request body accepted (progress reports are a few hundred bytes).</summary>
    public long MaxRequestBodyBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Machines one source address may report for at once (a machine has one address; a few more
    /// allow a NAT or a VM host). Beyond it the address's stalest machine is forgotten.
    /// </summary>
    public int MachinesPerAddress { get; set; } = 4;

    /// <summary>
    /// Networks (CIDR, e.g. "10.77.0.0/24") whose hosts HTTP, the tracker, TFTP and the seeder
    /// answer; empty answers every host. Loopback is not implied: add 127.0.0.1/32 for
    /// `eziopxe status` on the server itself.
    /// </summary>
    public List<string> AllowedNetworks { get; set; } = [];
}
