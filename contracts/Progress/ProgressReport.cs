namespace EzioPxe.Contracts.Progress;

/// <summary>What a client POSTs to the server every few seconds; the server answers with a <see cref="ProgressReply"/>.</summary>
public sealed record ProgressReport
{
    /// <summary>The MAC that identifies the machine, "aa:bb:cc:dd:ee:ff".</summary>
    public string? Mac { get; init; }

    public string? Hostname { get; init; }

    /// <summary>The client's IP address on the interface that routes to the server.</summary>
    public string? Address { get; init; }

    public string? Job { get; init; }

    /// <summary>The machine's report key from its job or kernel command line (<c>ezio.key</c>); without the right one the report is refused.</summary>
    public string? Key { get; init; }

    /// <summary>One of <see cref="ProgressStates"/>.</summary>
    public string State { get; init; } = ProgressStates.Starting;

    public long BytesDone { get; init; }

    public long BytesTotal { get; init; }

    /// <summary>Bytes per second received from peers, averaged over the last seconds.</summary>
    public long DownloadRate { get; init; }

    /// <summary>Bytes per second sent to peers, averaged over the last seconds.</summary>
    public long UploadRate { get; init; }

    public int Peers { get; init; }

    /// <summary>Seconds to completion at the current rate; null when unknown (no rate yet, or done).</summary>
    public long? EtaSeconds { get; init; }

    /// <summary>Set when <see cref="State"/> is "failed": what went wrong, in words.</summary>
    public string? Error { get; init; }

    /// <summary>
    /// What the administrator should know about an image that worked, in words: e.g. how much of
    /// a target larger than the image is left unpartitioned.
    /// </summary>
    public string? Note { get; init; }
}
