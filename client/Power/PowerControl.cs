using System.Runtime.InteropServices;
using EzioPxe.Client.Disk;
using EzioPxe.Contracts.Jobs;
using Tmds.Linux;

namespace EzioPxe.Client.Power;

/// <summary>
/// Carries out <c>ezio.after</c>. Reboot and power-off call reboot(2) directly (through
/// Tmds.LibC's syscall: there is no systemd or busybox reboot to ask in our initramfs) after
/// sync(). After a failure it never reboots: a machine that reboots into a half-written disk
/// hides the error and may boot garbage.
/// </summary>
public sealed class PowerControl
{
    // include/uapi/linux/reboot.h
    internal const uint Magic1 = 0xfee1dead;
    internal const int Magic2 = 672274793;
    internal const int CommandRestart = 0x01234567;   // RB_AUTOBOOT
    internal const int CommandPowerOff = 0x4321fedc;  // RB_POWER_OFF

    private readonly Func<int, int> _reboot;
    private readonly Action _sync;

    /// <param name="reboot">Issues reboot(2) with a command; returns -errno on failure. Replaceable so tests do not reboot the test machine.</param>
    internal PowerControl(Func<int, int> reboot, Action sync)
    {
        _reboot = reboot;
        _sync = sync;
    }

    public static PowerControl System { get; } = new(command => RebootSyscall(Magic1, Magic2, command), LibC.sync);

    /// <summary>
    /// Runs <paramref name="action"/> when <paramref name="succeeded"/>; returns the exit code
    /// for the init (<see cref="ExitCodes"/>). A successful reboot or power-off does not return.
    /// </summary>
    public int Run(AfterAction action, bool succeeded, TextWriter? log = null)
    {
        if (!succeeded)
        {
            if (action is AfterAction.Reboot or AfterAction.PowerOff)
            {
                log?.WriteLine($"not doing ezio.after={AfterActions.Name(action)} after an error");
            }
            return ExitCodes.Failed;
        }
        switch (action)
        {
            case AfterAction.Shell:
                return ExitCodes.Shell;
            case AfterAction.Wait:
                return ExitCodes.Wait;
        }
        var command = action == AfterAction.Reboot ? CommandRestart : CommandPowerOff;
        log?.WriteLine(action == AfterAction.Reboot ? "rebooting" : "powering off");
        log?.Flush();
        // reboot(2) does not flush anything itself: written data still in a cache would be lost.
        _sync();
        var result = _reboot(command);
        if (result < 0)
        {
            throw new LibCException($"reboot({(action == AfterAction.Reboot ? "RB_AUTOBOOT" : "RB_POWER_OFF")})", -result);
        }
        return ExitCodes.Done;
    }

    /// <summary>The raw syscall, returning 0 or -errno; the magic numbers are arguments so a test can prove the call reaches the kernel (bad magic gives EINVAL).</summary>
    internal static unsafe int RebootSyscall(uint magic1, int magic2, int command)
    {
        var result = (long)LibC.syscall(SysReboot, magic1, magic2, command, (void*)null);
        return result < 0 ? -LibC.errno : (int)result;
    }

    /// <summary>__NR_reboot differs per architecture (Tmds.LibC does not carry it).</summary>
    private static int SysReboot => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 169,
        Architecture.Arm64 => 142,
        Architecture.Arm => 88,
        var other => throw new PlatformNotSupportedException($"reboot(2) syscall number unknown for {other}"),
    };
}
