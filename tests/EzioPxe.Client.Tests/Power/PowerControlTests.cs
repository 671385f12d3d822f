using EzioPxe.Client.Disk;
using EzioPxe.Client.Power;
using EzioPxe.Contracts.Jobs;

namespace EzioPxe.Client.Tests.Power;

public class PowerControlTests
{
    /// <summary>Records what would have been done, instead of rebooting the machine running the tests.</summary>
    private sealed class Recorder
    {
        public List<string> Calls { get; } = [];

        public int Result { get; set; }

        public PowerControl Control => new(command => { Calls.Add($"reboot(0x{command:x8})"); return Result; }, () => Calls.Add("sync"));
    }

    [Theory]
    [InlineData(AfterAction.Reboot, "reboot(0x01234567)")]
    [InlineData(AfterAction.PowerOff, "reboot(0x4321fedc)")]
    public void Reboot_and_power_off_sync_first_then_call_reboot(AfterAction action, string call)
    {
        var recorder = new Recorder();
        recorder.Control.Run(action, succeeded: true);
        Assert.Equal(["sync", call], recorder.Calls);
    }

    [Theory]
    [InlineData(AfterAction.Reboot)]
    [InlineData(AfterAction.PowerOff)]
    [InlineData(AfterAction.Shell)]
    [InlineData(AfterAction.Wait)]
    public void Never_after_an_error(AfterAction action)
    {
        var recorder = new Recorder();
        var log = new StringWriter();
        Assert.Equal(ExitCodes.Failed, recorder.Control.Run(action, succeeded: false, log));
        Assert.Empty(recorder.Calls);
    }

    [Fact]
    public void Shell_and_wait_return_their_codes_to_the_init()
    {
        var recorder = new Recorder();
        Assert.Equal(ExitCodes.Shell, recorder.Control.Run(AfterAction.Shell, succeeded: true));
        Assert.Equal(ExitCodes.Wait, recorder.Control.Run(AfterAction.Wait, succeeded: true));
        Assert.Empty(recorder.Calls);
    }

    [Fact]
    public void A_refused_reboot_is_an_error_naming_the_call()
    {
        var recorder = new Recorder { Result = -1 }; // -EPERM
        var error = Assert.Throws<LibCException>(() => recorder.Control.Run(AfterAction.Reboot, succeeded: true));
        Assert.Equal("reboot(RB_AUTOBOOT): Operation not permitted", error.Message);
    }

    [Fact]
    public void The_real_syscall_reaches_the_kernel_which_refuses_a_wrong_magic_number()
    {
        // The kernel checks LINUX_REBOOT_MAGIC1/2 before doing anything: a wrong second magic
        // gives EINVAL (as root) or EPERM (without CAP_SYS_BOOT) and never reboots. A wrong
        // syscall number would give ENOSYS or something else entirely.
        var result = PowerControl.RebootSyscall(PowerControl.Magic1, 12345, PowerControl.CommandRestart);
        Assert.Contains(-result, new[] { 22, 1 });
    }

    [Fact]
    public void After_action_names_parse()
    {
        Assert.True(AfterActions.TryParse("poweroff", out var action, out _));
        Assert.Equal(AfterAction.PowerOff, action);
        Assert.False(AfterActions.TryParse("sleep", out _, out var error));
        Assert.Equal("'sleep' is not reboot, poweroff, shell or wait", error);
    }
}
