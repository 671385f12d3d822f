namespace EzioPxe.Server.Configuration;

/// <summary>The whole configuration of `eziopxe serve` (docs/configuration.md describes every key).</summary>
public sealed class EzioPxeOptions
{
    public ServerOptions Server { get; set; } = new();

    public TrackerOptions Tracker { get; set; } = new();

    public Dictionary<string, ImageOptions> Images { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public Dictionary<string, JobOptions> Jobs { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public List<MachineOptions> Machines { get; set; } = new();

    /// <summary>The job of a machine that "Machines" does not list; null: such machines get none (404).</summary>
    public string? DefaultJob { get; set; }

    /// <summary>Null when the section is absent: serve then answers no DHCP and serves no TFTP.</summary>
    public NetBootOptions? NetBoot { get; set; }
}
