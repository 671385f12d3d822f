using System.Diagnostics.CodeAnalysis;

namespace EzioPxe.Contracts.Jobs;

public static class AfterActions
{
    public static bool TryParse(string text, out AfterAction action, [NotNullWhen(false)] out string? error)
    {
        error = null;
        switch (text.ToLowerInvariant())
        {
            case "reboot":
                action = AfterAction.Reboot;
                return true;
            case "poweroff" or "power-off" or "halt":
                action = AfterAction.PowerOff;
                return true;
            case "shell":
                action = AfterAction.Shell;
                return true;
            case "wait":
                action = AfterAction.Wait;
                return true;
        }
        action = AfterAction.Wait;
        error = $"'{text}' is not reboot, poweroff, shell or wait";
        return false;
    }

    public static string Name(AfterAction action) => action switch
    {
        AfterAction.Reboot => "reboot",
        AfterAction.PowerOff => "poweroff",
        AfterAction.Shell => "shell",
        _ => "wait",
    };
}
