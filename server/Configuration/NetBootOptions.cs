namespace EzioPxe.Server.Configuration;

/// <summary>
/// The "NetBoot" section as written (docs/configuration.md): bound and checked with every other
/// section by <see cref="ConfigurationLoader"/>, which turns it into
/// <see cref="NetBoot.NetBootSettings"/>. Addresses and the DHCP mode stay text here so that a bad
/// one is named with its value.
/// </summary>
public sealed class NetBootOptions
{
    /// <summary>off, proxy or full; null or empty: off.</summary>
    public string? Dhcp { get; set; }

    public string? Interface { get; set; }

    /// <summary>IPv4; null: Server:Address (which must then not be 0.0.0.0).</summary>
    public string? ServerAddress { get; set; }

    public string? RangeStart { get; set; }

    public string? RangeEnd { get; set; }

    public string? SubnetMask { get; set; }

    public string? Router { get; set; }

    /// <summary>Null: DataDirectory/dhcp-leases.</summary>
    public string? LeaseFile { get; set; }

    public bool Tftp { get; set; } = true;

    /// <summary>Null: DataDirectory/tftp.</summary>
    public string? TftpRoot { get; set; }

    public int TftpPort { get; set; } = 69;

    public string BiosLoader { get; set; } = "undionly.kpxe";

    /// <summary>Null: snponly.efi, or shimx64.efi with <see cref="SecureBoot"/>.</summary>
    public string? EfiLoader { get; set; }

    public bool SecureBoot { get; set; }

    public bool HttpBoot { get; set; }

    public string KernelArguments { get; set; } = "";
}
