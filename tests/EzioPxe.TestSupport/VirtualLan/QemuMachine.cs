using System.Globalization;
using System.Net.NetworkInformation;
using System.Text;

namespace EzioPxe.TestSupport.VirtualLan;

/// <summary>
/// One QEMU virtual machine on a tap device of a <see cref="VirtualLan"/>. Its serial console
/// (ttyS0) is written to <see cref="SerialLogPath"/>; tests wait for text there. QEMU runs inside
/// the LAN's namespace (the tap lives there) and is killed on dispose.
/// </summary>
public sealed class QemuMachine : IDisposable
{
    public const string OvmfCode = "/usr/share/OVMF/OVMF_CODE_4M.fd";
    public const string OvmfVars = "/usr/share/OVMF/OVMF_VARS_4M.fd";
    public const string OvmfSecureBootCode = "/usr/share/OVMF/OVMF_CODE_4M.ms.fd";
    public const string OvmfSecureBootVars = "/usr/share/OVMF/OVMF_VARS_4M.ms.fd";

    private readonly BackgroundProcess _process;

    private QemuMachine(BackgroundProcess process, string serialLogPath, PhysicalAddress mac, string tap)
    {
        _process = process;
        SerialLogPath = serialLogPath;
        Mac = mac;
        Tap = tap;
    }

    public PhysicalAddress Mac { get; }

    public string Tap { get; }

    public string SerialLogPath { get; }

    /// <summary>The serial console so far.</summary>
    public string SerialOutput
    {
        get
        {
            try
            {
                using var stream = new FileStream(SerialLogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                using var reader = new StreamReader(stream, Encoding.UTF8);
                return reader.ReadToEnd();
            }
            catch (FileNotFoundException)
            {
                return "";
            }
        }
    }

    /// <summary>QEMU's own stdout/stderr (errors about the tap, firmware files ...).</summary>
    public string QemuOutput => _process.Output;

    public bool HasExited => _process.HasExited;

    internal static QemuMachine Start(NetworkNamespace ns, string tap, QemuMachineOptions options, string workDirectory)
    {
        var mac = options.Mac ?? RandomMac();
        var serial = Path.Combine(workDirectory, $"serial-{tap}.log");
        var arguments = new List<string>
        {
            "-accel", "tcg",
            "-m", options.MemoryMiB.ToString(CultureInfo.InvariantCulture),
            "-nodefaults", "-display", "none", "-no-user-config",
            // -no-reboot: a kernel panic or reboot ends the machine instead of looping for the whole timeout.
            "-no-reboot",
            "-serial", "file:" + serial,
            "-netdev", $"tap,id=net0,ifname={tap},script=no,downscript=no",
        };
        var device = $"{options.Nic},netdev=net0,mac={FormatMac(mac)}";
        if (options.NicRomFile != null)
        {
            device += ",romfile=" + options.NicRomFile;
        }
        arguments.AddRange(["-device", device]);
        if (options.Firmware is QemuFirmware.Uefi or QemuFirmware.UefiSecureBoot)
        {
            var secure = options.Firmware == QemuFirmware.UefiSecureBoot;
            // OVMF writes its variable store; every machine gets its own copy.
            var vars = Path.Combine(workDirectory, $"ovmf-vars-{tap}.fd");
            File.Copy(secure ? OvmfSecureBootVars : OvmfVars, vars, overwrite: true);
            if (secure)
            {
                // The Secure Boot build keeps its variables behind SMM so the OS cannot rewrite them:
                // QEMU must emulate SMM and restrict the flash to it, and S3 must be off (OVMF's rule).
                arguments.AddRange([
                    "-machine", "q35,smm=on",
                    "-global", "driver=cfi.pflash01,property=secure,value=on",
                    "-global", "ICH9-LPC.disable_s3=1",
                ]);
            }
            else
            {
                arguments.AddRange(["-machine", "q35"]);
            }
            arguments.AddRange([
                "-drive", $"if=pflash,format=raw,unit=0,readonly=on,file={(secure ? OvmfSecureBootCode : OvmfCode)}",
                "-drive", $"if=pflash,format=raw,unit=1,file={vars}",
            ]);
        }
        else
        {
            arguments.AddRange(["-boot", "order=n"]);
        }
        for (var i = 0; i < options.Disks.Count; i++)
        {
            arguments.AddRange(["-drive", $"if=virtio,format=raw,file={options.Disks[i]}"]);
        }
        arguments.AddRange(options.ExtraArguments);
        var process = ns.Start("qemu-system-x86_64", arguments);
        return new QemuMachine(process, serial, mac, tap);
    }

    /// <summary>Waits until the serial console shows <paramref name="text"/>; throws with the console and QEMU's output otherwise.</summary>
    public string WaitForSerial(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var output = SerialOutput;
            if (output.Contains(text, StringComparison.Ordinal))
            {
                return output;
            }
            if (_process.HasExited)
            {
                // The last bytes may have landed just before exit.
                output = SerialOutput;
                if (output.Contains(text, StringComparison.Ordinal))
                {
                    return output;
                }
                throw new InvalidOperationException($"QEMU exited before '{text}' appeared.\n{Describe(output)}");
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"'{text}' did not appear on the serial console within {timeout}.\n{Describe(output)}");
            }
            Thread.Sleep(200);
        }
    }

    public bool WaitForExit(TimeSpan timeout) => _process.WaitForExit(timeout);

    public void Dispose() => _process.Dispose();

    private string Describe(string serial)
    {
        const int tail = 4000;
        var shown = serial.Length > tail ? "..." + serial[^tail..] : serial;
        return $"--- serial console ({SerialLogPath}) ---\n{shown}\n--- qemu ---\n{_process.Output}";
    }

    private static PhysicalAddress RandomMac()
    {
        var bytes = new byte[6];
        Random.Shared.NextBytes(bytes);
        // Locally administered, unicast (IEEE 802: bit 1 set, bit 0 clear in the first byte).
        bytes[0] = (byte)((bytes[0] & 0xFC) | 0x02);
        return new PhysicalAddress(bytes);
    }

    public static string FormatMac(PhysicalAddress mac) =>
        string.Join(':', mac.GetAddressBytes().Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
}
