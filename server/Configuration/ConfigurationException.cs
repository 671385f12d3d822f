namespace EzioPxe.Server.Configuration;

/// <summary>The configuration cannot be used; each problem names its key (e.g. "Jobs:lab:Image: ...").</summary>
public sealed class ConfigurationException(IReadOnlyList<string> problems)
    : Exception("invalid configuration:\n  " + string.Join("\n  ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
