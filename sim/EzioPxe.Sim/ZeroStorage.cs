using EzioPxe.Engine.Storage;

namespace EzioPxe.Sim;

/// <summary>
/// A simulated disk whose image is all zeros: reads give zeros, writes are dropped, everything
/// completes at once. The pieces' hashes are those of zeros, so the session's own hash check
/// passes on the data that really travelled through the simulated connections.
/// </summary>
internal sealed class ZeroStorage : IPieceStorage
{
    public ValueTask ReadAsync(int piece, int offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        buffer.Span.Clear();
        return ValueTask.CompletedTask;
    }

    public ValueTask WritePieceAsync(int piece, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
