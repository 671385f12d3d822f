using System.Net;
using EzioPxe.Server.NetBoot;
using EzioPxe.Server.NetBoot.Dhcp;
using EzioPxe.Server.NetBoot.Menus;
using EzioPxe.Server.NetBoot.Tftp;
using Microsoft.Extensions.Logging;

namespace EzioPxe.Server.Tests.NetBoot;

/// <summary>
/// Development entry: TFTP + DHCP/proxyDHCP + generated menus, one command line, until Ctrl-C.
/// Every machine gets the same kernel command line. `eziopxe serve` hosts the same services from
/// its configuration; this test-only entry runs the network-boot services alone inside a
/// network namespace for the network-boot integration tests (see NetBootTestHost).
/// </summary>
public static class NetBootCommand
{
    public const string Usage = """
        usage: netboot --root DIR [options]
          --root DIR               TFTP root (boot loaders, kernel, initramfs)
          --listen ADDR            TFTP listen address (default 0.0.0.0)
          --tftp-port N            TFTP port (default 69)
          --dhcp off|proxy|full    DHCP mode (default off)
          --interface NAME         interface DHCP serves (SO_BINDTODEVICE)
          --server-address ADDR    our address on the boot LAN (required with --dhcp)
          --range FIRST-LAST       full mode address range
          --router ADDR            full mode default gateway
          --lease-file FILE        full mode lease file
          --dhcp-port N --pxe-port N   (default 67 and 4011)
          --bios FILE              BIOS boot loader (default undionly.kpxe)
          --efi64 FILE             x86-64 UEFI boot loader (default snponly.efi)
          --ipxe-script-url URL    script URL for iPXE clients; {mac} = aa-bb-cc-dd-ee-ff
                                   (default tftp://SERVER/ipxe/{mac}.ipxe; "none": iPXE
                                   clients get the BIOS/EFI loader like any PXE client)
          --ipxe-base-url URL      prefix of kernel/initrd in iPXE scripts (default tftp://SERVER/)
          --grub-base PREFIX       prefix of kernel/initrd in GRUB configs (default "/", the TFTP
                                   root; "(http,SERVER:PORT)/" fetches them over HTTP)
          --http-boot-url URL      UEFI HTTP boot clients get URL + the --efi64 loader (default:
                                   HTTP boot clients are not answered)
          --kernel PATH --initrd PATH   relative to the root (default vmlinuz, initrd.img)
          --cmdline TEXT           kernel command line for every machine
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        Dictionary<string, string> values;
        try
        {
            values = ParseArguments(args);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"netboot: {e.Message}\n{Usage}");
            return 2;
        }
        string? Get(string key) => values.GetValueOrDefault(key);

        using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
        var logger = loggerFactory.CreateLogger("netboot");
        try
        {
            var root = Get("root") ?? throw new ArgumentException("--root is required");
            var dhcpMode = Get("dhcp") ?? "off";
            var serverAddress = Get("server-address") is { } s ? IPAddress.Parse(s) : null;
            var listen = Get("listen") is { } l ? IPAddress.Parse(l) : IPAddress.Any;
            // By default an iPXE client fetches its generated script from our TFTP server.
            var scriptServer = serverAddress ?? (listen.Equals(IPAddress.Any) ? null : listen);
            var loaders = new BootLoaderOptions
            {
                Bios = Get("bios") ?? "undionly.kpxe",
                EfiX64 = Get("efi64") ?? "snponly.efi",
                IpxeScriptUrl = Get("ipxe-script-url") switch
                {
                    "none" => null,
                    null => scriptServer == null ? null : $"tftp://{scriptServer}/ipxe/{{mac}}.ipxe",
                    var url => url,
                },
                HttpBootUrl = Get("http-boot-url"),
            };
            var commandLine = Get("cmdline") ?? "";
            var plans = new ConfiguredBootPlanProvider(loaders, _ => commandLine, Get("kernel") ?? "vmlinuz", Get("initrd") ?? "initrd.img");
            var menuBase = Get("ipxe-base-url") ?? $"tftp://{serverAddress?.ToString() ?? "${next-server}"}/";
            var menus = new BootMenuFiles(plans, new BootMenuOptions { IpxeBaseUrl = menuBase, GrubBase = Get("grub-base") ?? "/" });

            await using var tftp = new TftpServer(new TftpServerOptions
            {
                Root = root,
                ListenAddress = listen,
                Port = Get("tftp-port") is { } p ? int.Parse(p) : 69,
            }, menus, loggerFactory.CreateLogger<TftpServer>());
            await tftp.StartAsync();

            DhcpServer? dhcp = null;
            if (dhcpMode != "off")
            {
                var range = Get("range")?.Split('-');
                dhcp = new DhcpServer(new DhcpServerOptions
                {
                    Mode = dhcpMode switch
                    {
                        "proxy" => DhcpMode.Proxy,
                        "full" => DhcpMode.Full,
                        _ => throw new ArgumentException($"--dhcp must be off, proxy or full, not '{dhcpMode}'"),
                    },
                    ServerAddress = serverAddress ?? throw new ArgumentException("--server-address is required with --dhcp"),
                    Interface = Get("interface"),
                    RangeStart = range is [var first, _] ? IPAddress.Parse(first) : null,
                    RangeEnd = range is [_, var last] ? IPAddress.Parse(last) : null,
                    Router = Get("router") is { } r ? IPAddress.Parse(r) : null,
                    LeaseFile = Get("lease-file"),
                    ServerPort = Get("dhcp-port") is { } dp ? int.Parse(dp) : 67,
                    PxePort = Get("pxe-port") is { } pp ? int.Parse(pp) : 4011,
                }, plans, loggerFactory.CreateLogger<DhcpServer>());
                await dhcp.StartAsync();
            }

            // Tests and scripts wait for this exact line.
            Console.WriteLine($"netboot ready: tftp {tftp.LocalEndPoint}, dhcp {dhcpMode}");
            using var stop = new CancellationTokenSource();
            Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
            using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
                System.Runtime.InteropServices.PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
            if (dhcp != null)
            {
                await dhcp.DisposeAsync();
            }
            return 0;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or IOException)
        {
            logger.LogError("netboot: {Message}", e.Message);
            return 1;
        }
    }

    private static Dictionary<string, string> ParseArguments(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"unexpected argument '{args[i]}'");
            }
            values[args[i][2..]] = args[++i];
        }
        return values;
    }
}
