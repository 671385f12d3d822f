using EzioPxe.Engine.Pieces;

namespace EzioPxe.Sim;

/// <summary>
/// Piece buffers for every simulated session at once: one buffer, shared. The image is all zeros,
/// so whatever a session writes into a piece buffer (a received block) is zeros, and whatever it
/// reads (to send, to hash) is too. The sessions' memory limits still count rentals as before;
/// they just cost no memory, which a room of 1,000 machines needs.
/// </summary>
internal sealed class SharedZeroPool(int bufferLength) : PieceBufferPool(bufferLength, retained: 0)
{
    private readonly PieceBuffer _buffer = new(bufferLength);

    public override PieceBuffer Rent() => _buffer;

    public override void Return(PieceBuffer buffer)
    {
    }
}
