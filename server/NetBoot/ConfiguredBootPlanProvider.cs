using System.Net.NetworkInformation;

namespace EzioPxe.Server.NetBoot;

/// <summary>
/// The usual policy: the boot loader follows the client's architecture (<see cref="BootLoaderOptions"/>),
/// an iPXE client gets its script URL, and the kernel command line comes from a callback that
/// knows each machine's job (null from the callback: this machine is not ours, do not answer).
/// </summary>
public sealed class ConfiguredBootPlanProvider : IBootPlanProvider
{
    private readonly BootLoaderOptions _loaders;
    private readonly Func<PhysicalAddress?, string?> _commandLine;
    private readonly string _kernel;
    private readonly string _initrd;

    public ConfiguredBootPlanProvider(BootLoaderOptions loaders, Func<PhysicalAddress?, string?> commandLineForMachine, string kernel = "vmlinuz", string initrd = "initrd.img")
    {
        loaders.Validate();
        _loaders = loaders;
        _commandLine = commandLineForMachine;
        _kernel = kernel;
        _initrd = initrd;
    }

    public BootPlan? GetPlan(BootClient client)
    {
        var commandLine = _commandLine(client.Mac);
        if (commandLine == null)
        {
            return null;
        }
        var bootFile = ChooseBootFile(client);
        return bootFile == null ? null : new BootPlan(bootFile, commandLine, _kernel, _initrd);
    }

    private string? ChooseBootFile(BootClient client)
    {
        if (client.IsIpxe && _loaders.IpxeScriptUrl != null)
        {
            var mac = client.Mac == null ? "default" : MacAddressText.Hyphenated(client.Mac);
            return _loaders.IpxeScriptUrl.Replace("{mac}", mac, StringComparison.Ordinal);
        }
        if (client.IsHttpBoot)
        {
            // UEFI HTTP boot takes a URL; the loader is the x86-64 one, fetched over HTTP. Other
            // architectures (x86 15, ARM64 19) have no loader here.
            return (client.Architecture == ClientArchitecture.EfiX64Http || client.Architecture.IsEfiX64()) && _loaders.HttpBootUrl != null
                ? _loaders.HttpBootUrl + _loaders.EfiX64.TrimStart('/')
                : null;
        }
        return client.Architecture switch
        {
            ClientArchitecture.BiosX86 => _loaders.Bios,
            ClientArchitecture.EfiIa32 => _loaders.EfiIa32,
            var a when a.IsEfiX64() => _loaders.EfiX64,
            // Menus are requested by file name alone; the loader does not matter there.
            ClientArchitecture.Unknown => _loaders.Bios,
            _ => null,
        };
    }
}
