using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using EzioPxe.Engine.Metainfo;
using EzioPxe.Engine.Peers;
using EzioPxe.Engine.Wire;

namespace EzioPxe.Engine.Tests.Swarm;

/// <summary>A hand-driven peer over a real socket, for sending what no honest client would.</summary>
internal sealed class RawPeer : IDisposable
{
    private readonly Socket _socket;

    private RawPeer(Socket socket) => _socket = socket;

    public static async Task<RawPeer> ConnectAsync(IPEndPoint endPoint, InfoHash infoHash, bool fast = true, IPAddress? from = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        if (from != null)
        {
            socket.Bind(new IPEndPoint(from, 0));
        }
        await socket.ConnectAsync(endPoint);
        var peer = new RawPeer(socket);
        await peer.SendHandshakeAsync(infoHash, fast);
        return peer;
    }

    public static RawPeer Accepted(Socket socket) => new(socket);

    public async Task SendHandshakeAsync(InfoHash infoHash, bool fast = true)
    {
        var bytes = new byte[Handshake.Length];
        new Handshake(infoHash, PeerId.Create(), SupportsExtensions: false, SupportsFast: fast).Write(bytes);
        await _socket.SendAsync(bytes);
    }

    public async Task<Handshake> ReceiveHandshakeAsync()
    {
        var bytes = new byte[Handshake.Length];
        await ReceiveExactlyAsync(bytes);
        return Handshake.Parse(bytes);
    }

    /// <summary>Reads one framed message: its id (null for keep-alive) and payload.</summary>
    public async Task<(MessageId? Id, byte[] Payload)> ReceiveAsync()
    {
        var prefix = new byte[4];
        await ReceiveExactlyAsync(prefix);
        var length = BinaryPrimitives.ReadInt32BigEndian(prefix);
        if (length == 0)
        {
            return (null, Array.Empty<byte>());
        }
        var body = new byte[length];
        await ReceiveExactlyAsync(body);
        return ((MessageId)body[0], body[1..]);
    }

    public Task SendRawAsync(byte[] bytes) => _socket.SendAsync(bytes.AsMemory()).AsTask();

    public Task SendAsync(MessageId id, params int[] fields)
    {
        var bytes = new byte[5 + 4 * fields.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, 1 + 4 * fields.Length);
        bytes[4] = (byte)id;
        for (var i = 0; i < fields.Length; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(5 + 4 * i), fields[i]);
        }
        return SendRawAsync(bytes);
    }

    public Task SendBitfieldAsync(byte[] bits)
    {
        var bytes = new byte[5 + bits.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, 1 + bits.Length);
        bytes[4] = (byte)MessageId.Bitfield;
        bits.CopyTo(bytes, 5);
        return SendRawAsync(bytes);
    }

    public Task SendBlockAsync(int piece, int offset, byte[] data)
    {
        var bytes = new byte[13 + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, 9 + data.Length);
        bytes[4] = (byte)MessageId.Piece;
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(5), piece);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(9), offset);
        data.CopyTo(bytes, 13);
        return SendRawAsync(bytes);
    }

    /// <summary>Says we are done sending (TCP FIN); the other side may still send, and close when it likes.</summary>
    public void ShutdownSend() => _socket.Shutdown(SocketShutdown.Send);

    /// <summary>True once the other side has closed the connection (reads return 0 or fail).</summary>
    public async Task<bool> IsClosedByRemoteAsync(TimeSpan within)
    {
        var buffer = new byte[64 * 1024];
        using var timeout = new CancellationTokenSource(within);
        try
        {
            while (true)
            {
                if (await _socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) == 0)
                {
                    return true;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    private async Task ReceiveExactlyAsync(byte[] buffer)
    {
        var done = 0;
        while (done < buffer.Length)
        {
            var read = await _socket.ReceiveAsync(buffer.AsMemory(done));
            if (read == 0)
            {
                throw new EndOfStreamException("peer closed the connection");
            }
            done += read;
        }
    }

    public void Dispose() => _socket.Dispose();
}
