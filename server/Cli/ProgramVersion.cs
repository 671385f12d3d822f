using System.Reflection;

namespace EzioPxe.Server.Cli;

/// <summary>
/// What `eziopxe --version` prints: the version and the commit it was built from. The SDK puts
/// the commit into the informational version ("0.1.0+&lt;sha&gt;", from the git repository at build
/// time); a build outside git has no "+", and then says so.
/// </summary>
public static class ProgramVersion
{
    public static string Text
    {
        get
        {
            var informational = typeof(ProgramVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
            var plus = informational.IndexOf('+', StringComparison.Ordinal);
            var version = plus < 0 ? informational : informational[..plus];
            var commit = plus < 0 ? "unknown commit" : "commit " + informational[(plus + 1)..];
            return $"eziopxe {version} ({commit}, .NET {Environment.Version})";
        }
    }
}
