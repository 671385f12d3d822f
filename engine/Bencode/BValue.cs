namespace EzioPxe.Engine.Bencode;

/// <summary>
/// One parsed bencode value. <see cref="Span"/> is where its exact encoding sits in the parsed
/// input, which is what an info-hash must be computed over (never over a re-encoding).
/// </summary>
public abstract class BValue
{
    /// <summary>Start and length of this value's encoding in the buffer it was parsed from (0,0 if built in code).</summary>
    public (int Start, int Length) Span { get; internal set; }
}
