namespace EzioPxe.Sim;

/// <summary>How a simulated link divides its rate among the connections with bytes to send through it.</summary>
internal enum UplinkSharing
{
    /// <summary>Max-min fair among the busy connections: the model of TCP (the default).</summary>
    Fair,

    /// <summary>
    /// Oldest message first (control messages ahead of blocks), each taking what the ones before it
    /// left: the ideal of an uploader that serves one requester's piece whole before the next.
    /// </summary>
    InOrder,

    /// <summary>
    /// The connection whose next block was queued longest ago takes what it can first, the others
    /// share the rest fairly: a strict-priority qdisc with only that connection in the high band.
    /// </summary>
    OldestFirst,

    /// <summary><see cref="InOrder"/> on the origin's uplink only; the machines' links fair.</summary>
    InOrderAtOrigin,
}
