using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EzioPxe.Server.Tests.NetBoot;

/// <summary>
/// A deliberately small TFTP client for what curl and tftp-hpa cannot do: windowsize (RFC 7440),
/// dropping ACKs on purpose to make the server retransmit, and sending raw packets.
/// </summary>
internal sealed class TftpTestClient : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly IPEndPoint _server;

    /// <param name="source">The loopback address to send from (127.0.0.2, ... stand for other hosts); 127.0.0.1 by default.</param>
    public TftpTestClient(IPEndPoint server, IPAddress? source = null)
    {
        _server = server;
        _socket.Bind(new IPEndPoint(source ?? IPAddress.Loopback, 0));
        _socket.ReceiveTimeout = 5000;
    }

    public sealed record Result(byte[] Data, Dictionary<string, string> OptionAck, int Retransmissions, int ErrorCode, string ErrorMessage);

    public static byte[] ReadRequest(string file, string mode = "octet", params (string Name, string Value)[] options)
    {
        var text = new StringBuilder();
        text.Append(file).Append('\0').Append(mode).Append('\0');
        foreach (var (name, value) in options)
        {
            text.Append(name).Append('\0').Append(value).Append('\0');
        }
        return [0, 1, .. Encoding.ASCII.GetBytes(text.ToString())];
    }

    public void SendRaw(byte[] packet) => _socket.SendTo(packet, _server);

    /// <summary>Receives one packet (from any port); null on timeout.</summary>
    public (byte[] Packet, IPEndPoint From)? Receive(int timeoutMs = 5000)
    {
        _socket.ReceiveTimeout = timeoutMs;
        var buffer = new byte[70000];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        try
        {
            var n = _socket.ReceiveFrom(buffer, ref from);
            return (buffer[..n], (IPEndPoint)from);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
        {
            return null;
        }
    }

    /// <summary>
    /// Downloads a file. <paramref name="dropAckOfBlock"/>: the first time this block completes a
    /// window, its ACK is not sent, so the server must time out and send the window again.
    /// </summary>
    public Result Get(string file, int? blockSize = null, int? windowSize = null, bool askSize = false, int? timeoutSeconds = null, long dropAckOfBlock = -1, string mode = "octet")
    {
        var options = new List<(string, string)>();
        if (blockSize != null) options.Add(("blksize", blockSize.Value.ToString()));
        if (windowSize != null) options.Add(("windowsize", windowSize.Value.ToString()));
        if (askSize) options.Add(("tsize", "0"));
        if (timeoutSeconds != null) options.Add(("timeout", timeoutSeconds.Value.ToString()));
        SendRaw(ReadRequest(file, mode, [.. options]));

        var data = new MemoryStream();
        var oack = new Dictionary<string, string>();
        var block = blockSize ?? 512;
        var window = 1;
        long expected = 1; // absolute number of the next block we want
        long lastAcked = 0;
        var complete = false;
        var retransmissions = 0;
        var dropped = false;
        IPEndPoint? transferPort = null;
        void Ack(long number)
        {
            var ack = new byte[4];
            ack[1] = 4;
            BinaryPrimitives.WriteUInt16BigEndian(ack.AsSpan(2), (ushort)number);
            _socket.SendTo(ack, transferPort!);
            lastAcked = number;
        }
        while (true)
        {
            var received = Receive(10000) ?? throw new TimeoutException($"no packet from the server; got {data.Length} bytes");
            var (packet, from) = received;
            transferPort ??= from;
            var opcode = BinaryPrimitives.ReadUInt16BigEndian(packet);
            if (opcode == 5)
            {
                return new Result(data.ToArray(), oack, retransmissions, BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(2)), Encoding.ASCII.GetString(packet, 4, packet.Length - 5));
            }
            if (opcode == 6)
            {
                var parts = Encoding.ASCII.GetString(packet, 2, packet.Length - 2).Split('\0');
                for (var i = 0; i + 1 < parts.Length; i += 2) oack[parts[i]] = parts[i + 1];
                if (oack.TryGetValue("blksize", out var b)) block = int.Parse(b);
                if (oack.TryGetValue("windowsize", out var w)) window = int.Parse(w);
                Ack(0);
                continue;
            }
            if (opcode != 3)
            {
                throw new InvalidOperationException($"unexpected opcode {opcode}");
            }
            var number = BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(2));
            if (number != (ushort)expected)
            {
                retransmissions++;
                // The server resent a window whose ACK it missed: acknowledge again at its end.
                if (number == (ushort)(expected - 1))
                {
                    Ack(expected - 1);
                    if (complete)
                    {
                        return new Result(data.ToArray(), oack, retransmissions, 0, "");
                    }
                }
                continue;
            }
            data.Write(packet, 4, packet.Length - 4);
            complete = packet.Length - 4 < block;
            expected++;
            if (expected - 1 - lastAcked == window || complete)
            {
                if (expected - 1 == dropAckOfBlock && !dropped)
                {
                    dropped = true;
                    continue;
                }
                Ack(expected - 1);
                if (complete)
                {
                    return new Result(data.ToArray(), oack, retransmissions, 0, "");
                }
            }
        }
    }

    public void Dispose() => _socket.Dispose();
}
