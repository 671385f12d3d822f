namespace EzioPxe.Contracts.Jobs;

/// <summary><c>ezio.mode</c>: what the machine does with its disk.</summary>
public enum JobMode
{
    /// <summary>Write the job's image onto the disk (the default).</summary>
    Deploy,

    /// <summary>Read the disk's used blocks and send them to the server as a new image (<c>ezio.image</c>).</summary>
    Capture,
}
