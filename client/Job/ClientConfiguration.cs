using Microsoft.Extensions.Configuration;

namespace EzioPxe.Client.Job;

/// <summary>
/// The client's configuration sources, weakest first: the kernel command line (what the PXE
/// server handed out), then environment variables (what the init sets), then the program's own
/// command line (what a person types), each overriding the one before.
/// </summary>
public static class ClientConfiguration
{
    public const string EnvironmentPrefix = "EZIO_";

    public static IConfigurationRoot Build(string[] args, string kernelCommandLinePath = "/proc/cmdline", string environmentPrefix = EnvironmentPrefix) =>
        new ConfigurationBuilder()
            .AddKernelCommandLine(kernelCommandLinePath)
            .AddEnvironmentVariables(environmentPrefix)
            .AddCommandLine(args)
            .Build();

    /// <summary>Reads and checks the settings; see <see cref="ClientSettingsReader.Read"/>.</summary>
    public static ClientSettings ReadSettings(string[] args, string kernelCommandLinePath = "/proc/cmdline") =>
        ClientSettingsReader.Read(Build(args, kernelCommandLinePath));
}
