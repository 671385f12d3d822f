using System.Net;
using System.Net.NetworkInformation;
using EzioPxe.Server.Configuration;
using EzioPxe.Server.Http;
using EzioPxe.Server.NetBoot.Dhcp;

namespace EzioPxe.Server.NetBoot;

/// <summary>
/// The "NetBoot" section of the serve configuration once checked: whether we answer DHCP (off,
/// proxy, full), where TFTP serves boot loaders from, and what each machine's kernel command line
/// holds. <see cref="ConfigurationLoader"/> makes it from <see cref="NetBootOptions"/> in the same
/// pass as every other section and keeps it in <see cref="ServerSettings.NetBoot"/>.
/// </summary>
public sealed record NetBootSettings
{
    /// <summary>The Secure Boot chain's files, as pxe/gather.sh names them in the TFTP root.</summary>
    public const string ShimLoader = "shimx64.efi";

    public const string SignedGrub = "grubx64.efi";

    /// <summary>HTTP path under which the TFTP root's boot loaders are served for UEFI HTTP boot.</summary>
    public const string HttpLoaderPath = "netboot/";

    public DhcpMode? Dhcp { get; init; }

    public string? Interface { get; init; }

    /// <summary>Our address on the boot LAN: what DHCP names as next-server and what URLs point at.</summary>
    public required IPAddress ServerAddress { get; init; }

    public IPAddress? RangeStart { get; init; }

    public IPAddress? RangeEnd { get; init; }

    public required IPAddress SubnetMask { get; init; }

    public IPAddress? Router { get; init; }

    public required string LeaseFile { get; init; }

    public bool Tftp { get; init; }

    public required string TftpRoot { get; init; }

    public int TftpPort { get; init; }

    public required string BiosLoader { get; init; }

    public required string EfiLoader { get; init; }

    /// <summary>
    /// UEFI machines boot Debian's signed chain (shim -> GRUB -> signed kernel), which Secure Boot
    /// firmware accepts; EfiLoader then defaults to shimx64.efi and may not be unsigned iPXE.
    /// </summary>
    public bool SecureBoot { get; init; }

    /// <summary>Answer UEFI HTTP boot clients (vendor class HTTPClient) with the URL of the EFI loader on our HTTP server.</summary>
    public bool HttpBoot { get; init; }

    /// <summary>Added to every machine's kernel command line (e.g. "console=ttyS0").</summary>
    public required string KernelArguments { get; init; }

    /// <summary>
    /// Checks <paramref name="options"/> (bound from the section by the loader) against each other
    /// and the Server section; adds every problem, with its key, to <paramref name="problems"/>.
    /// </summary>
    /// <param name="address">Server:Address, parsed; null when it did not parse (a problem already named).</param>
    public static NetBootSettings Check(NetBootOptions options, ServerOptions server, IPAddress? address, List<string> problems)
    {
        IPAddress? Address(string key, string? text)
        {
            if (string.IsNullOrEmpty(text))
            {
                return null;
            }
            if (IPAddress.TryParse(text, out var parsed) && parsed.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            {
                return parsed;
            }
            problems.Add($"NetBoot:{key}: '{text}' is not an IPv4 address");
            return null;
        }

        DhcpMode? dhcp = options.Dhcp?.ToLowerInvariant() switch
        {
            null or "" or "off" => null,
            "proxy" => DhcpMode.Proxy,
            "full" => DhcpMode.Full,
            var other => Fail<DhcpMode?>($"NetBoot:Dhcp: '{other}' is not off, proxy or full", null),
        };
        var serverAddress = Address("ServerAddress", options.ServerAddress) ?? (address == null || address.Equals(IPAddress.Any) ? null : address);
        if (serverAddress == null && address != null)
        {
            problems.Add("NetBoot:ServerAddress: needed when Server:Address is 0.0.0.0 (the address machines on the boot LAN reach us at)");
        }
        var rangeStart = Address("RangeStart", options.RangeStart);
        var rangeEnd = Address("RangeEnd", options.RangeEnd);
        if (dhcp == DhcpMode.Full && (rangeStart == null || rangeEnd == null))
        {
            problems.Add("NetBoot:RangeStart/RangeEnd: full DHCP needs an address range");
        }
        if (options.TftpPort is < 0 or > 65535)
        {
            problems.Add($"NetBoot:TftpPort: {options.TftpPort} is not a port number (1-65535, or 0 for any free port)");
        }
        var tftpRoot = options.TftpRoot is { Length: > 0 } root ? root : Path.Combine(server.DataDirectory, "tftp");
        if (options.Tftp && !Directory.Exists(tftpRoot))
        {
            problems.Add($"NetBoot:TftpRoot: directory '{tftpRoot}' does not exist (fill it with pxe/gather.sh)");
        }
        var efiLoader = options.EfiLoader is { Length: > 0 } efi ? efi : options.SecureBoot ? ShimLoader : "snponly.efi";
        if (options.SecureBoot)
        {
            CheckSecureBoot(options, efiLoader, tftpRoot, problems);
        }
        if (string.IsNullOrEmpty(server.BootDirectory))
        {
            problems.Add("Server:BootDirectory: network boot serves the kernel and initramfs from it; set it (e.g. out/boot)");
        }
        if (options.KernelArguments.Any(char.IsControl))
        {
            // The menus refuse a command line with a line break (it could inject directives), so every boot would fail.
            problems.Add("NetBoot:KernelArguments: must be one line (no line breaks or other control characters)");
        }
        return new NetBootSettings
        {
            Dhcp = dhcp,
            Interface = options.Interface is { Length: > 0 } name ? name : null,
            ServerAddress = serverAddress ?? IPAddress.Loopback,
            RangeStart = rangeStart,
            RangeEnd = rangeEnd,
            SubnetMask = Address("SubnetMask", options.SubnetMask) ?? IPAddress.Parse("255.255.255.0"),
            Router = Address("Router", options.Router),
            LeaseFile = options.LeaseFile is { Length: > 0 } leases ? leases : Path.Combine(server.DataDirectory, "dhcp-leases"),
            Tftp = options.Tftp,
            TftpRoot = tftpRoot,
            TftpPort = options.TftpPort,
            BiosLoader = options.BiosLoader,
            EfiLoader = efiLoader,
            SecureBoot = options.SecureBoot,
            HttpBoot = options.HttpBoot,
            KernelArguments = options.KernelArguments,
        };

        T Fail<T>(string problem, T value)
        {
            problems.Add(problem);
            return value;
        }
    }

    private static void CheckSecureBoot(NetBootOptions options, string efiLoader, string tftpRoot, List<string> problems)
    {
        if (BootLoaderOptions.IsIpxeLoader(efiLoader))
        {
            problems.Add($"NetBoot:EfiLoader: '{efiLoader}' is iPXE, unsigned, which Secure Boot firmware refuses; with NetBoot:SecureBoot leave it unset ({ShimLoader})");
        }
        if (options.Tftp && Directory.Exists(tftpRoot))
        {
            foreach (var file in new[] { efiLoader, SignedGrub })
            {
                if (!File.Exists(Path.Combine(tftpRoot, file)))
                {
                    problems.Add($"NetBoot:SecureBoot: '{file}' is missing from TftpRoot '{tftpRoot}' (pxe/gather.sh fetches Debian's signed shim and GRUB)");
                }
            }
        }
        if (options.HttpBoot)
        {
            // Seen in the QEMU test: under HTTP boot GRUB asks for http.mod, which the signed image
            // does not contain and Secure Boot would not let it load.
            problems.Add("NetBoot:HttpBoot: Debian's signed GRUB cannot fetch over HTTP (no http module), so with NetBoot:SecureBoot the chain would stop after shim; leave HttpBoot off (such machines boot by PXE)");
        }
        if (!options.Tftp)
        {
            problems.Add("NetBoot:SecureBoot: Debian's signed GRUB loads the kernel by TFTP only; it needs NetBoot:Tftp true");
        }
    }

    /// <summary>Where HTTP is reached from the boot LAN, for iPXE scripts and the client's ezio.server.</summary>
    public string HttpBase(ServerSettings settings) => $"http://{ServerAddress}:{settings.Server.HttpPort}/";

    /// <summary>
    /// The kernel command line of a machine: the server's address, plus what
    /// <paramref name="machine"/> adds for a known MAC (its report key and image info-hash). The
    /// client asks GET /jobs/{its MAC}, so a change of job needs no new boot menu.
    /// </summary>
    public string KernelCommandLine(ServerSettings settings, PhysicalAddress? mac, MachineBootParameters? machine = null)
    {
        var line = $"ezio.server={ServerAddress}:{settings.Server.HttpPort}";
        if (machine?.For(mac) is { Length: > 0 } parameters)
        {
            line += " " + parameters;
        }
        return KernelArguments.Length == 0 ? line : line + " " + KernelArguments;
    }
}
