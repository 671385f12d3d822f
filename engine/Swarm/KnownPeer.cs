namespace EzioPxe.Engine.Swarm;

/// <summary>An address we heard of (tracker, host program) and what happened when we tried it.</summary>
internal sealed class KnownPeer
{
    public bool Connected { get; set; }

    public bool Connecting { get; set; }

    /// <summary>Our own listener, reached through an address the tracker handed back.</summary>
    public bool IsSelf { get; set; }

    public bool Banned { get; set; }

    public int Failures { get; set; }

    public long RetryAfterTicks { get; set; }

    /// <summary>Whether it may be dialled now.</summary>
    public bool CanDial(long now) => !Connected && !Connecting && !IsSelf && !Banned && RetryAfterTicks <= now;
}
