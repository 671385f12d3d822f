using System.Diagnostics;
using System.Globalization;
using System.Net.NetworkInformation;
using System.Text;
using System.Text.RegularExpressions;

namespace EzioPxe.TestSupport.VirtualLan;

/// <summary>
/// One QEMU virtual machine (TCG): the one launcher of every VM test. On a <see cref="VirtualLan"/>
/// it sits on a tap device of the LAN's bridge and QEMU runs inside the LAN's namespace; started
/// alone (<see cref="StartIsolated"/>) its NIC's only peer is an empty QEMU hub. It boots from the
/// network (firmware), from its disks, or directly a kernel and initramfs
/// (<see cref="QemuMachineOptions.Kernel"/>). The serial console (ttyS0) is QEMU's stdio, logged to
/// <see cref="SerialLogPath"/>: tests read it with <see cref="WaitForSerial(string, TimeSpan)"/> and
/// type into it with <see cref="SendLine"/>. Killed on dispose.
/// </summary>
public sealed class QemuMachine : IDisposable
{
    public const string OvmfCode = "/usr/share/OVMF/OVMF_CODE_4M.fd";
    public const string OvmfVars = "/usr/share/OVMF/OVMF_VARS_4M.fd";
    public const string OvmfSecureBootCode = "/usr/share/OVMF/OVMF_CODE_4M.ms.fd";
    public const string OvmfSecureBootVars = "/usr/share/OVMF/OVMF_VARS_4M.ms.fd";

    private readonly BackgroundProcess _process;
    private readonly Stopwatch _sinceStart = Stopwatch.StartNew();

    private QemuMachine(BackgroundProcess process, string serialLogPath, PhysicalAddress mac, string? tap)
    {
        _process = process;
        SerialLogPath = serialLogPath;
        Mac = mac;
        Tap = tap;
    }

    public PhysicalAddress Mac { get; }

    /// <summary>The machine's tap device on the LAN's bridge; null for an isolated machine.</summary>
    public string? Tap { get; }

    public string SerialLogPath { get; }

    /// <summary>Time since QEMU was started.</summary>
    public TimeSpan Uptime => _sinceStart.Elapsed;

    /// <summary>The serial console so far, without the terminal's carriage returns.</summary>
    public string SerialOutput
    {
        get
        {
            try
            {
                using var stream = new FileStream(SerialLogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                using var reader = new StreamReader(stream, Encoding.Latin1);
                return reader.ReadToEnd().Replace("\r", "", StringComparison.Ordinal);
            }
            catch (FileNotFoundException)
            {
                return "";
            }
        }
    }

    /// <summary>QEMU's own stdout/stderr (errors about the tap, firmware files ...) and the console echo.</summary>
    public string QemuOutput => _process.Output;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    internal static QemuMachine Start(NetworkNamespace ns, string tap, QemuMachineOptions options, string workDirectory)
    {
        var mac = options.Mac ?? RandomMac();
        var serial = Path.Combine(workDirectory, $"serial-{tap}.log");
        var arguments = CommonArguments(options, serial, workDirectory, tap);
        arguments.AddRange(["-netdev", $"tap,id=net0,ifname={tap},script=no,downscript=no"]);
        arguments.AddRange(["-device", NicDevice(options, mac)]);
        var process = ns.Start("qemu-system-x86_64", arguments, withInput: true);
        return new QemuMachine(process, serial, mac, tap);
    }

    /// <summary>
    /// Starts a machine on no LAN: its NIC (if <see cref="QemuMachineOptions.Nic"/> is set) has
    /// a link, and nothing answers. Files go to <paramref name="workDirectory"/>.
    /// </summary>
    public static QemuMachine StartIsolated(QemuMachineOptions options, string workDirectory)
    {
        var mac = options.Mac ?? RandomMac();
        var name = "isolated-" + Guid.NewGuid().ToString("N")[..8];
        var serial = Path.Combine(workDirectory, $"serial-{name}.log");
        var arguments = CommonArguments(options, serial, workDirectory, name);
        if (options.Nic != null)
        {
            arguments.AddRange(["-netdev", "hubport,id=net0,hubid=0", "-device", NicDevice(options, mac)]);
        }
        var process = BackgroundProcess.Start("qemu-system-x86_64", arguments, withInput: true);
        return new QemuMachine(process, serial, mac, null);
    }

    private static List<string> CommonArguments(QemuMachineOptions options, string serial, string workDirectory, string name)
    {
        var arguments = new List<string>
        {
            "-accel", "tcg",
            "-m", options.MemoryMiB.ToString(CultureInfo.InvariantCulture),
            "-nodefaults", "-display", "none", "-no-user-config",
            // -no-reboot: a kernel panic or reboot ends the machine instead of looping for the whole timeout.
            "-no-reboot",
            // The console on stdio, so that tests can type into it, and logged to a file they read.
            "-chardev", $"stdio,id=console,signal=off,logfile={serial}",
            "-serial", "chardev:console",
        };
        if (options.Firmware is QemuFirmware.Uefi or QemuFirmware.UefiSecureBoot)
        {
            var secure = options.Firmware == QemuFirmware.UefiSecureBoot;
            // OVMF writes its variable store; every machine gets its own copy.
            var vars = Path.Combine(workDirectory, $"ovmf-vars-{name}.fd");
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
        if (options.Kernel != null)
        {
            // panic=-1: a kernel panic (PID 1 exiting) reboots at once, and -no-reboot ends QEMU,
            // so a broken init fails the test quickly instead of hanging it.
            arguments.AddRange(["-kernel", options.Kernel, "-append", "console=ttyS0 panic=-1 " + options.KernelArguments]);
            if (options.Initrd != null)
            {
                arguments.AddRange(["-initrd", options.Initrd]);
            }
        }
        else if (options.Firmware == QemuFirmware.Bios)
        {
            arguments.AddRange(["-boot", options.BootFromDisk ? "order=c" : "order=n"]);
        }
        for (var i = 0; i < options.Disks.Count; i++)
        {
            if (options.NetworkThenDisk)
            {
                // A boot index needs the device spelled out (if=virtio cannot carry one).
                var id = "disk" + i.ToString(CultureInfo.InvariantCulture);
                arguments.AddRange(["-drive", $"if=none,id={id},format=raw,file={options.Disks[i]}",
                    "-device", $"virtio-blk-pci,drive={id},bootindex={(i + 1).ToString(CultureInfo.InvariantCulture)}"]);
            }
            else
            {
                arguments.AddRange(["-drive", $"if=virtio,format=raw,file={options.Disks[i]}"]);
            }
        }
        arguments.AddRange(options.ExtraArguments);
        return arguments;
    }

    private static string NicDevice(QemuMachineOptions options, PhysicalAddress mac)
    {
        var device = $"{options.Nic ?? "e1000"},netdev=net0,mac={FormatMac(mac)}" + (options.NetworkThenDisk ? ",bootindex=0" : "");
        return options.NicRomFile == null ? device : device + ",romfile=" + options.NicRomFile;
    }

    /// <summary>Waits until the serial console shows <paramref name="text"/>; throws with the console and QEMU's output otherwise.</summary>
    public string WaitForSerial(string text, TimeSpan timeout) =>
        WaitUntil(console => console.Contains(text, StringComparison.Ordinal), $"'{text}'", timeout);

    public string WaitForSerial(Regex pattern, TimeSpan timeout) =>
        WaitUntil(pattern.IsMatch, $"/{pattern}/", timeout);

    /// <summary>Waits until <paramref name="condition"/> holds for the console text (<paramref name="what"/> names it in errors); returns the console.</summary>
    public string WaitUntil(Func<string, bool> condition, string what, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var output = SerialOutput;
            if (condition(output))
            {
                return output;
            }
            if (_process.HasExited)
            {
                // The last bytes may have landed just before exit.
                output = SerialOutput;
                if (condition(output))
                {
                    return output;
                }
                throw new InvalidOperationException($"QEMU exited before the console showed {what}.\n{Describe(output)}");
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the console did not show {what} within {timeout}.\n{Describe(output)}");
            }
            Thread.Sleep(100);
        }
    }

    /// <summary>Types a line into the console (the serial port's receive side).</summary>
    public void SendLine(string line) => _process.SendInput(line + "\n");

    public bool WaitForExit(TimeSpan timeout) => _process.WaitForExit(timeout);

    public void Dispose() => _process.Dispose();

    private string Describe(string serial)
    {
        const int tail = 6000;
        var shown = serial.Length > tail ? "..." + serial[^tail..] : serial;
        var qemu = _process.Output;
        return $"--- serial console ({SerialLogPath}) ---\n{shown}\n--- qemu ---\n{(qemu.Length > 2000 ? "..." + qemu[^2000..] : qemu)}";
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
