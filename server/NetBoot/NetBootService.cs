using EzioPxe.Server.Configuration;
using EzioPxe.Server.NetBoot.Dhcp;
using EzioPxe.Server.NetBoot.Menus;
using EzioPxe.Server.NetBoot.Tftp;
using EzioPxe.Server.Status;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EzioPxe.Server.NetBoot;

/// <summary>
/// Hosts TFTP and DHCP/proxyDHCP inside `eziopxe serve`. Machines whose ROM is already iPXE (QEMU's,
/// many on-board NICs) get an HTTP URL of their iPXE script and load kernel and initramfs over HTTP;
/// others get a boot loader by TFTP first (undionly.kpxe, snponly.efi), which then does the same.
/// </summary>
public sealed class NetBootService(NetBootSettings netBoot, ServerSettings settings, BootMenuFiles menus, IBootPlanProvider plans, BootPathLog bootPaths, ILoggerFactory loggers,
    LeasedAddresses? leased = null) : IHostedService, IAsyncDisposable
{
    private readonly ILogger _logger = loggers.CreateLogger("EzioPxe.NetBoot");
    private TftpServer? _tftp;
    private DhcpServer? _dhcp;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await StartServicesAsync(cancellationToken);
        }
        catch (InvalidOperationException e) when (e.InnerException is System.Net.Sockets.SocketException)
        {
            // TFTP and DHCP name the port and interface in their message.
            throw new Http.BindFailedException(e.Message, e);
        }
    }

    private async Task StartServicesAsync(CancellationToken cancellationToken)
    {
        if (netBoot.Interface is { } name && !System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces().Any(i => i.Name == name))
        {
            // SO_BINDTODEVICE would only say "unknown socket error".
            var known = string.Join(", ", System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces().Select(i => i.Name));
            throw new Http.BindFailedException($"NetBoot:Interface: there is no network interface '{name}' (there are: {known})");
        }
        if (netBoot.Tftp)
        {
            _tftp = new TftpServer(new TftpServerOptions
            {
                Root = netBoot.TftpRoot!,
                Port = netBoot.TftpPort,
                AllowedClients = settings.AllowedNetworks.Count > 0 ? settings.IsAllowed : null,
                // A machine's own menu only to its leased address (full DHCP): it carries its report key.
                RefuseFile = leased == null ? null : (file, client) => MenuMachine.Of(file) is { } mac ? leased.Refusal(mac, client) : null,
                BootDirectory = settings.Server.BootDirectory,
            }, menus, loggers.CreateLogger<TftpServer>());
            await _tftp.StartAsync(cancellationToken);
            _logger.LogInformation("TFTP serves {Root} on {EndPoint}", netBoot.TftpRoot, _tftp.LocalEndPoint);
        }
        if (netBoot.Dhcp is DhcpMode mode)
        {
            if (netBoot.LeaseFile is { } leases)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(leases))!);
            }
            _dhcp = new DhcpServer(new DhcpServerOptions
            {
                Mode = mode,
                ServerAddress = netBoot.ServerAddress,
                Interface = netBoot.Interface,
                RangeStart = netBoot.RangeStart,
                RangeEnd = netBoot.RangeEnd,
                SubnetMask = netBoot.SubnetMask,
                Router = netBoot.Router,
                LeaseFile = mode == DhcpMode.Full ? netBoot.LeaseFile : null,
            }, plans, loggers.CreateLogger<DhcpServer>(), bootPaths);
            await _dhcp.StartAsync(cancellationToken);
            if (_dhcp.Leases is { } pool && leased != null)
            {
                // Full mode: a machine's reports and report key are bound to the address leased to it.
                leased.Source = mac => pool.CommittedAddress(new System.Net.NetworkInformation.PhysicalAddress(mac.GetBytes()));
            }
            _logger.LogInformation("DHCP ({Mode}) on {Interface}; machines boot with: {CommandLine}", mode, netBoot.Interface ?? "every interface",
                netBoot.KernelCommandLine(settings, null));
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_dhcp != null)
        {
            await _dhcp.StopAsync(cancellationToken);
        }
        if (_tftp != null)
        {
            await _tftp.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_dhcp != null)
        {
            await _dhcp.DisposeAsync();
        }
        if (_tftp != null)
        {
            await _tftp.DisposeAsync();
        }
    }
}
