namespace EzioPxe.Engine.Swarm;

/// <summary>One outstanding 16 KiB request to a peer.</summary>
internal readonly record struct BlockRequest(int Piece, int Block)
{
    public int Offset => Block * PieceDownload.BlockSize;
}
