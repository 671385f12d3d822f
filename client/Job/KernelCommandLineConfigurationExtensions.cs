using Microsoft.Extensions.Configuration;

namespace EzioPxe.Client.Job;

public static class KernelCommandLineConfigurationExtensions
{
    /// <summary>Adds the <c>ezio.*</c> parameters of the kernel command line (read from <paramref name="path"/>).</summary>
    public static IConfigurationBuilder AddKernelCommandLine(this IConfigurationBuilder builder, string path = "/proc/cmdline", string prefix = "ezio.") =>
        builder.Add(new KernelCommandLineConfigurationSource { Path = path, Prefix = prefix });

    /// <summary>Adds the <c>ezio.*</c> parameters of a command line given as text.</summary>
    public static IConfigurationBuilder AddKernelCommandLineText(this IConfigurationBuilder builder, string text, string prefix = "ezio.") =>
        builder.Add(new KernelCommandLineConfigurationSource { Text = text, Prefix = prefix });
}
