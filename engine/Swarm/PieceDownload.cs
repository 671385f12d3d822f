using EzioPxe.Engine.Peers;
using EzioPxe.Engine.Pieces;

namespace EzioPxe.Engine.Swarm;

/// <summary>
/// A piece being downloaded: its buffer (the whole piece, kept until the hash is checked) and the
/// state of each 16 KiB block. Guarded by the session lock.
/// </summary>
internal sealed class PieceDownload
{
    public const int BlockSize = 16 * 1024;

    public PieceDownload(int piece, int size, PieceBuffer buffer)
    {
        Piece = piece;
        Size = size;
        Buffer = buffer;
        BlockCount = (size + BlockSize - 1) / BlockSize;
        Received = new bool[BlockCount];
        Requests = new byte[BlockCount];
    }

    public int Piece { get; }

    public int Size { get; }

    public PieceBuffer Buffer { get; }

    public int BlockCount { get; }

    /// <summary>Which blocks have arrived.</summary>
    public bool[] Received { get; }

    /// <summary>How many peers have each block requested right now (more than one only in end-game).</summary>
    public byte[] Requests { get; }

    public int ReceivedCount { get; set; }

    /// <summary>The peer that started the piece; others join only when it cannot keep up.</summary>
    public SwarmPeer? Owner { get; set; }

    /// <summary>Everyone who sent a block, to blame if the hash fails.</summary>
    public HashSet<SwarmPeer> Contributors { get; } = new();

    public int BlockLength(int block) => Math.Min(BlockSize, Size - block * BlockSize);

    public bool IsComplete => ReceivedCount == BlockCount;
}
