using EzioPxe.TestSupport;
using EzioPxe.TestSupport.VirtualLan;
using Xunit.Abstractions;

namespace EzioPxe.Server.Tests.NetBoot;

/// <summary>
/// UEFI HTTP boot (OVMF's HttpBootDxe, no TFTP for the first step): the firmware's DHCP request says
/// vendor class "HTTPClient" and architecture 16, our full DHCP answers with "HTTPClient" and a URL,
/// the firmware downloads the loader over HTTP and the chain goes on to our kernel and initramfs.
/// </summary>
[Collection(NetworkBootCollection.Name)]
public sealed class UefiHttpBootTests(NetBootAssets assets, ITestOutputHelper output) : IClassFixture<NetBootAssets>
{
    [Fact]
    [Trait("Needs", "root")]
    public void Uefi_http_boot_client_gets_a_url_and_loads_its_loader_over_http()
    {
        var job = "http-boot-" + Guid.NewGuid().ToString("N")[..8];
        using var lan = VirtualLan.Create();
        // python's http.server logs every GET on stderr: the proof the loader came over HTTP.
        using var http = lan.Server.Start("/usr/bin/python3", ["-m", "http.server", "8000", "--bind", "10.66.0.1", "--directory", assets.Root]);
        const string httpBase = $"http://{NetBootArguments.Server}:8000/";
        using var server = NetBootServerProcess.Start(lan.Server, new NetBootArguments(assets.Root, "full")
        {
            LeaseFile = assets.Scratch($"{job}.leases"), HttpBootUrl = httpBase, IpxeHttpBase = httpBase, Job = job,
        }.ToArray());

        // OVMF tries PXE before HTTP boot; fw_cfg switches its PXE boot options off, so the machine
        // can only boot by HTTP (and a PXE answer cannot make the test pass by mistake).
        using var machine = lan.StartMachine(new QemuMachineOptions
        {
            Firmware = QemuFirmware.Uefi, Nic = "virtio-net-pci", NicRomFile = "", MemoryMiB = 512,
            ExtraArguments =
            [
                "-fw_cfg", "name=opt/org.tianocore/IPv4PXESupport,string=n",
                "-fw_cfg", "name=opt/org.tianocore/IPv6PXESupport,string=n",
            ],
        });
        string console;
        try
        {
            console = machine.WaitForSerial("CMDLINE: ", TimeSpan.FromSeconds(180));
            machine.WaitForExit(TimeSpan.FromSeconds(30));
            console = machine.SerialOutput;
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            throw new InvalidOperationException($"{e.Message}\n--- netboot server ---\n{server.Output}\n--- http ---\n{http.Output}", e);
        }
        output.WriteLine($"--- netboot server ---\n{server.Output}\n--- http ---\n{http.Output}\n--- console ---\n{console}");

        Assert.Contains($"ezio.job={job}", console, StringComparison.Ordinal);
        Assert.Contains("(EfiX64Http, HTTPClient) -> http://10.66.0.1:8000/snponly.efi", server.Output, StringComparison.Ordinal);
        Assert.Contains("\"GET /snponly.efi HTTP/1.1\" 200", http.Output, StringComparison.Ordinal);
        // Not one byte of the loader over TFTP.
        Assert.DoesNotContain(" snponly.efi: ", server.Output, StringComparison.Ordinal);
    }
}
