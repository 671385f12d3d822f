using System.Buffers;

namespace EzioPxe.Sim;

/// <summary>
/// Piece buffers for every simulated session at once: one buffer per size, shared. The image is
/// all zeros, so whatever a session writes into a piece buffer (a received block) is zeros, and
/// whatever it reads (to send, to hash) is too. The sessions' memory limits still count rentals as
/// before; they just cost no memory, which a room of 1,000 machines needs.
/// </summary>
internal sealed class SharedZeroPool : ArrayPool<byte>
{
    private readonly Dictionary<int, byte[]> _buffers = new();

    public override byte[] Rent(int minimumLength)
    {
        if (!_buffers.TryGetValue(minimumLength, out var buffer))
        {
            buffer = new byte[minimumLength];
            _buffers.Add(minimumLength, buffer);
        }
        return buffer;
    }

    public override void Return(byte[] array, bool clearArray = false)
    {
    }
}
