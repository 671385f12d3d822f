namespace EzioPxe.Engine.Swarm;

/// <summary>A snapshot of a session for progress lines, status pages and tests.</summary>
public sealed record SessionStatus(
    int PiecesHave,
    int PieceCount,
    long BytesTotal,
    long BytesHave,
    long Downloaded,
    long Uploaded,
    double DownloadRate,
    double UploadRate,
    int Peers,
    long Wasted,
    int HashFailures,
    int PiecesUnchecked)
{
    public bool IsComplete => PiecesHave == PieceCount;

    public double Fraction => BytesTotal == 0 ? 1 : (double)BytesHave / BytesTotal;
}
