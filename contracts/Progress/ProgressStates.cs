namespace EzioPxe.Contracts.Progress;

/// <summary>The values of <see cref="ProgressReport.State"/>, in the order a client goes through them.</summary>
public static class ProgressStates
{
    public const string Starting = "starting";
    public const string Checking = "checking";
    public const string Downloading = "downloading";
    public const string Seeding = "seeding";
    public const string Done = "done";
    public const string Failed = "failed";

    public static IReadOnlyList<string> All { get; } = [Starting, Checking, Downloading, Seeding, Done, Failed];
}
