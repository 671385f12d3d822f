using Microsoft.Extensions.Configuration;

namespace EzioPxe.Client.Job;

/// <summary>Configures a <see cref="KernelCommandLineConfigurationProvider"/>.</summary>
public sealed class KernelCommandLineConfigurationSource : IConfigurationSource
{
    /// <summary>Where to read the command line from; ignored when <see cref="Text"/> is set.</summary>
    public string Path { get; set; } = "/proc/cmdline";

    /// <summary>A command line given directly (tests, or a copy saved by the init).</summary>
    public string? Text { get; set; }

    /// <summary>Only parameters starting with this are ours; the prefix is removed from the configuration key.</summary>
    public string Prefix { get; set; } = "ezio.";

    public IConfigurationProvider Build(IConfigurationBuilder builder) => new KernelCommandLineConfigurationProvider(this);
}
