namespace EzioPxe.Contracts.Progress;

/// <summary>The values of <see cref="ProgressReport.State"/>, in the order a client goes through them.</summary>
public static class ProgressStates
{
    public const string Starting = "starting";
    public const string Checking = "checking";
    public const string Downloading = "downloading";
    public const string Seeding = "seeding";
    public const string Done = "done";

    /// <summary>A capture job: the machine is sending its disk's used blocks to the server.</summary>
    public const string Capturing = "capturing";
    public const string Failed = "failed";

    public static IReadOnlyList<string> All { get; } = [Starting, Checking, Downloading, Seeding, Done, Failed, Capturing];
}
