namespace EzioPxe.Client.Job;

/// <summary>The client's settings are unusable; <see cref="Problems"/> names every bad parameter, one per line.</summary>
public sealed class JobConfigurationException : Exception
{
    public JobConfigurationException(IReadOnlyList<string> problems, Exception? inner = null)
        : base(problems.Count == 1 ? problems[0] : "bad settings:\n  " + string.Join("\n  ", problems), inner)
    {
        Problems = problems;
    }

    public IReadOnlyList<string> Problems { get; }
}
