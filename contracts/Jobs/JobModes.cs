using System.Diagnostics.CodeAnalysis;

namespace EzioPxe.Contracts.Jobs;

public static class JobModes
{
    public static bool TryParse(string text, out JobMode mode, [NotNullWhen(false)] out string? error)
    {
        error = null;
        switch (text.ToLowerInvariant())
        {
            case "deploy":
                mode = JobMode.Deploy;
                return true;
            case "capture":
                mode = JobMode.Capture;
                return true;
        }
        mode = JobMode.Deploy;
        error = $"'{text}' is not deploy or capture";
        return false;
    }

    public static string Name(JobMode mode) => mode == JobMode.Capture ? "capture" : "deploy";
}
