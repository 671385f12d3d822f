namespace EzioPxe.Server.Configuration;

/// <summary>
/// One entry of "Machines". A list rather than a MAC-keyed object because ':' separates
/// sections in Microsoft.Extensions.Configuration: "aa:bb:.." cannot be a key.
/// </summary>
public sealed class MachineOptions
{
    /// <summary>aa:bb:cc:dd:ee:ff (also accepted: dashes, or 12 hex digits).</summary>
    public string? Mac { get; set; }

    /// <summary>The name of an entry of "Jobs".</summary>
    public string? Job { get; set; }

    /// <summary>A label for the status page (e.g. the desk number).</summary>
    public string? Name { get; set; }
}
