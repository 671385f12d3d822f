namespace EzioPxe.Contracts.Jobs;

/// <summary>What to do once the image is written and seeding is over (<c>ezio.after</c>).</summary>
public enum AfterAction
{
    Reboot,
    PowerOff,
    /// <summary>Return to the init with <see cref="ExitCodes.Shell"/>: it starts a shell on the console.</summary>
    Shell,
    /// <summary>Return to the init with <see cref="ExitCodes.Wait"/>: it keeps the machine up, doing nothing.</summary>
    Wait,
}
