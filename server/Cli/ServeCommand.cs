using EzioPxe.Server.NetBoot;
using EzioPxe.Server.NetBoot.Menus;
using EzioPxe.Server.Configuration;
using EzioPxe.Server.Http;
using EzioPxe.Server.Tasks;
using EzioPxe.Server.Service;
using Microsoft.Extensions.DependencyInjection;

namespace EzioPxe.Server.Cli;

/// <summary>
/// `eziopxe serve [--config FILE] [--address IP] [--port N] [--Section:Key=value ...]`: runs until
/// SIGTERM/SIGINT. Exit codes: 0 stopped cleanly, 1 could not start (message on stderr), 2 bad
/// usage or configuration.
/// </summary>
public static class ServeCommand
{
    public const string Usage =
        "usage: eziopxe serve [--config FILE] [--address IP] [--public-address HOST] [--port N] [--peer-port N]\n" +
        "                     [--data DIR] [--boot DIR] [--default-job JOB] [--Section:Key=VALUE ...]\n" +
        "  --config  the JSON configuration (default: $EZIOPXE_CONFIG, ./eziopxe.json, /etc/eziopxe/eziopxe.json)\n" +
        "  Every key of the file can be given as --Section:Key=VALUE or as EZIOPXE_Section__Key; see docs/configuration.md.";

    public static int Run(string[] args) => Run(args, Console.Error);

    public static int Run(string[] args, TextWriter error)
    {
        string? configFile = null;
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "-h" or "--help":
                    Console.Out.WriteLine(Usage);
                    return 0;
                case "--config" or "-c":
                    if (i + 1 >= args.Length)
                    {
                        error.WriteLine($"eziopxe serve: --config needs a file\n{Usage}");
                        return 2;
                    }
                    configFile = args[++i];
                    break;
                default:
                    if (args[i].StartsWith("--config=", StringComparison.Ordinal))
                    {
                        configFile = args[i]["--config=".Length..];
                    }
                    else
                    {
                        rest.Add(args[i]);
                    }
                    break;
            }
        }
        configFile ??= DefaultConfigFile();

        ServerSettings settings;
        try
        {
            settings = ConfigurationLoader.Load(ConfigurationLoader.Build(configFile, rest.ToArray()));
        }
        catch (ConfigurationException e)
        {
            error.WriteLine($"eziopxe serve: {(configFile == null ? "" : configFile + ": ")}{e.Message}");
            return 2;
        }

        try
        {
            // Ports held by tftpd-hpa or dnsmasq are named with their fix before anything binds.
            if (ServePorts.Conflicts(settings) is { Count: > 0 } conflicts)
            {
                foreach (var conflict in conflicts)
                {
                    error.WriteLine($"eziopxe serve: could not start: {conflict}");
                }
                return 1;
            }
            using var app = ServerHost.Build(settings, addServices: AddNetBootServices);
            SystemdNotifier.Attach(app.Lifetime, $"serving {settings.Images.Count} image(s) on port {settings.Server.HttpPort}");
            app.Run(); // Returns after SIGTERM/SIGINT once every hosted service has stopped.
            return 0;
        }
        catch (ConfigurationException e)
        {
            error.WriteLine($"eziopxe serve: {e.Message}");
            return 2;
        }
        catch (Exception e) when (StartFailure(e) is { } reason)
        {
            // One line naming the port or interface: no stack trace, under systemd a clear journal entry.
            error.WriteLine($"eziopxe serve: could not start: {reason}");
            return 1;
        }
    }

    /// <summary>
    /// The place where network boot joins the process: with a "NetBoot" section
    /// (<see cref="ServerSettings.NetBoot"/>, checked with the rest of the configuration) the
    /// DHCP/proxyDHCP and TFTP services of server/NetBoot and what they hand out are registered here.
    /// </summary>
    public static void AddNetBootServices(IServiceCollection services, ServerSettings settings)
    {
        if (settings.NetBoot is not { } netBoot)
        {
            return;
        }
        var httpBase = netBoot.HttpBase(settings);
        services.AddSingleton(netBoot);
        services.AddSingleton<MachineBootParameters>();
        // A factory: each machine's line carries its report key and info-hash, known once the images
        // are loaded. Only machines with something to deploy get the deploy kernel; the others their
        // disk (server/Tasks).
        services.AddSingleton<IBootPlanProvider>(sp => new LifecycleBootPlans(
            new ConfiguredBootPlanProvider(
                new BootLoaderOptions
                {
                    Bios = netBoot.BiosLoader,
                    EfiX64 = netBoot.EfiLoader,
                    IpxeScriptUrl = httpBase + "ipxe/{mac}.ipxe",
                    HttpBootUrl = netBoot.HttpBoot ? httpBase + NetBootSettings.HttpLoaderPath : null,
                },
                mac => netBoot.KernelCommandLine(settings, mac, sp.GetRequiredService<MachineBootParameters>()),
                kernel: "vmlinuz",
                initrd: "initramfs.img"),
            sp.GetRequiredService<MachineLifecycle>()));
        // GRUB reads kernel and initramfs by TFTP, where NetBootService serves Server:BootDirectory as boot/.
        services.AddSingleton(sp => new BootMenuFiles(sp.GetRequiredService<IBootPlanProvider>(), new BootMenuOptions { IpxeBaseUrl = httpBase + "boot/", GrubBase = "/boot/" }));
        services.AddSingleton(new BootPathLog());
        services.AddHostedService<NetBootService>();
    }

    /// <summary>The one-line reason of a failure to bind a listener, or null for any other exception (a bug: let it show).</summary>
    internal static string? StartFailure(Exception e) => e switch
    {
        BindFailedException bind => FirstLine(bind.Message),
        // Kestrel: "Failed to bind to address http://10.0.0.1:8080: address already in use."
        IOException io => "Server:HttpPort: " + FirstLine(io.Message),
        System.Net.Sockets.SocketException socket => FirstLine(socket.Message),
        AggregateException { InnerExceptions: var inner } => inner.Select(StartFailure).FirstOrDefault(r => r != null),
        _ => null,
    };

    private static string FirstLine(string text) => text.Split('\n', 2)[0].TrimEnd();

    internal static string? DefaultConfigFile()
    {
        if (Environment.GetEnvironmentVariable("EZIOPXE_CONFIG") is { Length: > 0 } fromEnvironment)
        {
            return fromEnvironment;
        }
        foreach (var candidate in new[] { "eziopxe.json", "/etc/eziopxe/eziopxe.json" })
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }
}
