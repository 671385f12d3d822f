using System.Net;
using System.Net.NetworkInformation;
using EzioPxe.Server.Configuration;
using EzioPxe.Server.Http;
using EzioPxe.Server.NetBoot.Dhcp;
using Microsoft.Extensions.Configuration;

namespace EzioPxe.Server.NetBoot;

/// <summary>
/// The "NetBoot" section of the serve configuration: whether we answer DHCP (off, proxy, full),
/// where TFTP serves boot loaders from, and what each machine's kernel command line holds.
/// Read key by key so that every bad value is reported with its key, like the rest of serve.
/// </summary>
public sealed record NetBootSettings
{
    private static readonly string[] KnownKeys =
    [
        "Dhcp", "Interface", "ServerAddress", "RangeStart", "RangeEnd", "SubnetMask", "Router", "LeaseFile",
        "Tftp", "TftpRoot", "TftpPort", "BiosLoader", "EfiLoader", "SecureBoot", "HttpBoot", "KernelArguments",
    ];

    /// <summary>The Secure Boot chain's files, as pxe/gather.sh names them in the TFTP root.</summary>
    public const string ShimLoader = "shimx64.efi";

    public const string SignedGrub = "grubx64.efi";

    /// <summary>HTTP path under which the TFTP root's boot loaders are served for UEFI HTTP boot.</summary>
    public const string HttpLoaderPath = "netboot/";

    /// <summary>Off when the section is absent: serve then only does HTTP, tracker and seeding.</summary>
    public bool Enabled { get; init; }

    public DhcpMode? Dhcp { get; init; }

    public string? Interface { get; init; }

    /// <summary>Our address on the boot LAN: what DHCP names as next-server and what URLs point at.</summary>
    public required IPAddress ServerAddress { get; init; }

    public IPAddress? RangeStart { get; init; }

    public IPAddress? RangeEnd { get; init; }

    public IPAddress SubnetMask { get; init; } = IPAddress.Parse("255.255.255.0");

    public IPAddress? Router { get; init; }

    public string? LeaseFile { get; init; }

    public bool Tftp { get; init; } = true;

    public string? TftpRoot { get; init; }

    public int TftpPort { get; init; } = 69;

    public string BiosLoader { get; init; } = "undionly.kpxe";

    public string EfiLoader { get; init; } = "snponly.efi";

    /// <summary>
    /// UEFI machines boot Debian's signed chain (shim -> GRUB -> signed kernel), which Secure Boot
    /// firmware accepts; EfiLoader then defaults to shimx64.efi and may not be unsigned iPXE.
    /// </summary>
    public bool SecureBoot { get; init; }

    /// <summary>Answer UEFI HTTP boot clients (vendor class HTTPClient) with the URL of the EFI loader on our HTTP server.</summary>
    public bool HttpBoot { get; init; }

    /// <summary>Added to every machine's kernel command line (e.g. "console=ttyS0").</summary>
    public string KernelArguments { get; init; } = "";

    /// <summary>Reads and checks the section; throws <see cref="ConfigurationException"/> listing every problem.</summary>
    public static NetBootSettings Load(ServerSettings settings)
    {
        var section = settings.Configuration.GetSection("NetBoot");
        var problems = new List<string>();
        foreach (var child in section.GetChildren())
        {
            if (!KnownKeys.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                problems.Add($"NetBoot:{child.Key}: unknown key (known: {string.Join(", ", KnownKeys)})");
            }
        }
        IPAddress? Address(string key)
        {
            var text = section[key];
            if (string.IsNullOrEmpty(text))
            {
                return null;
            }
            if (IPAddress.TryParse(text, out var address) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            {
                return address;
            }
            problems.Add($"NetBoot:{key}: '{text}' is not an IPv4 address");
            return null;
        }

        DhcpMode? dhcp = section["Dhcp"]?.ToLowerInvariant() switch
        {
            null or "" or "off" => null,
            "proxy" => DhcpMode.Proxy,
            "full" => DhcpMode.Full,
            var other => Fail<DhcpMode?>($"NetBoot:Dhcp: '{other}' is not off, proxy or full", null),
        };
        var serverAddress = Address("ServerAddress") ?? (settings.Address.Equals(IPAddress.Any) ? null : settings.Address);
        if (section.Exists() && serverAddress == null)
        {
            problems.Add("NetBoot:ServerAddress: needed when Server:Address is 0.0.0.0 (the address machines on the boot LAN reach us at)");
        }
        var rangeStart = Address("RangeStart");
        var rangeEnd = Address("RangeEnd");
        if (dhcp == DhcpMode.Full && (rangeStart == null || rangeEnd == null))
        {
            problems.Add("NetBoot:RangeStart/RangeEnd: full DHCP needs an address range");
        }
        var tftpPort = 69;
        if (section["TftpPort"] is { Length: > 0 } portText && (!int.TryParse(portText, out tftpPort) || tftpPort is < 0 or > 65535))
        {
            problems.Add($"NetBoot:TftpPort: '{portText}' is not a port");
        }
        var tftp = true;
        if (section["Tftp"] is { Length: > 0 } tftpText && !bool.TryParse(tftpText, out tftp))
        {
            problems.Add($"NetBoot:Tftp: '{tftpText}' is not true or false");
        }
        var tftpRoot = section["TftpRoot"] ?? Path.Combine(settings.Server.DataDirectory, "tftp");
        if (section.Exists() && tftp && !Directory.Exists(tftpRoot))
        {
            problems.Add($"NetBoot:TftpRoot: directory '{tftpRoot}' does not exist (fill it with pxe/gather.sh)");
        }
        var secureBoot = Flag("SecureBoot");
        var httpBoot = Flag("HttpBoot");
        var efiLoader = section["EfiLoader"] ?? (secureBoot ? ShimLoader : "snponly.efi");
        if (secureBoot && BootLoaderOptions.IsIpxeLoader(efiLoader))
        {
            problems.Add($"NetBoot:EfiLoader: '{efiLoader}' is iPXE, unsigned, which Secure Boot firmware refuses; with NetBoot:SecureBoot leave it unset ({ShimLoader})");
        }
        if (secureBoot && tftp && Directory.Exists(tftpRoot))
        {
            foreach (var file in new[] { efiLoader, SignedGrub })
            {
                if (!File.Exists(Path.Combine(tftpRoot, file)))
                {
                    problems.Add($"NetBoot:SecureBoot: '{file}' is missing from TftpRoot '{tftpRoot}' (pxe/gather.sh fetches Debian's signed shim and GRUB)");
                }
            }
        }
        if (secureBoot && httpBoot)
        {
            // Seen in the QEMU test: under HTTP boot GRUB asks for http.mod, which the signed image
            // does not contain and Secure Boot would not let it load.
            problems.Add("NetBoot:HttpBoot: Debian's signed GRUB cannot fetch over HTTP (no http module), so with NetBoot:SecureBoot the chain would stop after shim; leave HttpBoot off (such machines boot by PXE)");
        }
        if (secureBoot && !tftp)
        {
            problems.Add("NetBoot:SecureBoot: Debian's signed GRUB loads the kernel by TFTP only; it needs NetBoot:Tftp true");
        }
        if (section.Exists() && string.IsNullOrEmpty(settings.Server.BootDirectory))
        {
            problems.Add("Server:BootDirectory: network boot serves the kernel and initramfs from it; set it (e.g. out/boot)");
        }
        if (section["KernelArguments"] is { } kernelArguments && kernelArguments.Any(char.IsControl))
        {
            // The menus refuse a command line with a line break (it could inject directives), so every boot would fail.
            problems.Add("NetBoot:KernelArguments: must be one line (no line breaks or other control characters)");
        }
        if (problems.Count > 0)
        {
            throw new ConfigurationException(problems);
        }
        return new NetBootSettings
        {
            Enabled = section.Exists(),
            Dhcp = dhcp,
            Interface = section["Interface"],
            ServerAddress = serverAddress ?? IPAddress.Loopback,
            RangeStart = rangeStart,
            RangeEnd = rangeEnd,
            SubnetMask = Address("SubnetMask") ?? IPAddress.Parse("255.255.255.0"),
            Router = Address("Router"),
            LeaseFile = section["LeaseFile"] ?? Path.Combine(settings.Server.DataDirectory, "dhcp-leases"),
            Tftp = tftp,
            TftpRoot = tftpRoot,
            TftpPort = tftpPort,
            BiosLoader = section["BiosLoader"] ?? "undionly.kpxe",
            EfiLoader = efiLoader,
            SecureBoot = secureBoot,
            HttpBoot = httpBoot,
            KernelArguments = section["KernelArguments"] ?? "",
        };

        bool Flag(string key)
        {
            var text = section[key];
            if (string.IsNullOrEmpty(text))
            {
                return false;
            }
            if (bool.TryParse(text, out var value))
            {
                return value;
            }
            problems.Add($"NetBoot:{key}: '{text}' is not true or false");
            return false;
        }

        T Fail<T>(string problem, T value)
        {
            problems.Add(problem);
            return value;
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
