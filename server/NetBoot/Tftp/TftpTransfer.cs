using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace EzioPxe.Server.NetBoot.Tftp;

/// <summary>
/// Sends one file to one client over its own socket (the server's transfer ID, RFC 1350 section 4),
/// in windows of <see cref="TftpNegotiation.WindowSize"/> blocks (RFC 7440; a window of 1 is
/// plain lock-step TFTP). The window is sent again from the first unacknowledged block when no
/// ACK comes in time. Duplicate ACKs never trigger a resend, which avoids the Sorcerer's Apprentice
/// bug (RFC 1123 section 4.2.3.1).
/// </summary>
internal sealed class TftpTransfer
{
    private readonly Socket _socket;
    private readonly TftpContent _content;
    private readonly TftpNegotiation _negotiation;
    private readonly int _maxRetransmissions;
    private readonly int _unacknowledgedRetransmissions;
    private readonly TimeSpan _unacknowledgedTimeout;
    private bool _acknowledgedOnce;
    private readonly ILogger _logger;
    private readonly string _description;

    public TftpTransfer(Socket connectedSocket, TftpContent content, TftpNegotiation negotiation, TftpServerOptions limits, ILogger logger, string description)
    {
        _socket = connectedSocket;
        _content = content;
        _negotiation = negotiation;
        _maxRetransmissions = limits.MaxRetransmissions;
        _unacknowledgedRetransmissions = Math.Min(limits.UnacknowledgedRetransmissions, limits.MaxRetransmissions);
        _unacknowledgedTimeout = negotiation.Timeout < limits.RetransmitTimeout ? negotiation.Timeout : limits.RetransmitTimeout;
        _logger = logger;
        _description = description;
    }

    /// <summary>
    /// Runs to the end of the transfer on the calling thread, with blocking socket calls; true if
    /// the client acknowledged the last block. Blocking on a thread of its own (not async) because
    /// lock-step clients (pxelinux, curl) make one round trip per block, and the thread-pool hop of
    /// an async receive costs more than the round trip itself on a LAN.
    /// </summary>
    public bool Run(CancellationToken stopping)
    {
        var blockSize = _negotiation.BlockSize;
        var sendBuffer = new byte[TftpPacket.HeaderLength + Math.Max(blockSize, 512)];
        var waiter = new AckWaiter(_socket, new byte[1024], stopping);
        if (_negotiation.AcknowledgedOptions.Count > 0 && !SendOptionAck(sendBuffer, waiter))
        {
            return false;
        }
        // The last block is the first one shorter than blksize; a length that is a multiple of
        // blksize therefore ends with an empty block.
        var totalBlocks = _content.Length / blockSize + 1;
        long acknowledged = 0;
        var retransmissions = 0;
        while (acknowledged < totalBlocks)
        {
            var windowEnd = Math.Min(acknowledged + _negotiation.WindowSize, totalBlocks);
            for (var block = acknowledged + 1; block <= windowEnd; block++)
            {
                var length = _content.Read((block - 1) * blockSize, sendBuffer.AsSpan(TftpPacket.HeaderLength, blockSize));
                TftpPacket.WriteDataHeader(sendBuffer, (ushort)block);
                _socket.Send(sendBuffer.AsSpan(0, TftpPacket.HeaderLength + length));
            }
            var deadline = Environment.TickCount64 + (long)CurrentTimeout.TotalMilliseconds;
            var progressed = false;
            while (!progressed)
            {
                var reply = waiter.Wait(deadline);
                if (reply == AckWaiter.Outcome.Timeout)
                {
                    break;
                }
                if (reply == AckWaiter.Outcome.ClientGone)
                {
                    _logger.LogDebug("TFTP {Transfer}: client ended the transfer", _description);
                    return false;
                }
                // Block numbers are 16 bits and roll over to 0 (as tftp-hpa and iPXE expect);
                // only a block inside the window just sent can be meant.
                for (var block = acknowledged + 1; block <= windowEnd; block++)
                {
                    if ((ushort)block == waiter.AckedBlock)
                    {
                        acknowledged = block;
                        progressed = true;
                        _acknowledgedOnce = true;
                        break;
                    }
                }
            }
            if (progressed)
            {
                retransmissions = 0;
            }
            else if (++retransmissions > CurrentRetransmissions)
            {
                _logger.LogInformation("TFTP {Transfer}: no ACK after {Count} retransmissions, giving up", _description, CurrentRetransmissions);
                return false;
            }
        }
        return true;
    }

    /// <summary>Before the client's first ACK: the server's short timeout and few resends, so an unanswered request frees its slot fast.</summary>
    private TimeSpan CurrentTimeout => _acknowledgedOnce ? _negotiation.Timeout : _unacknowledgedTimeout;

    private int CurrentRetransmissions => _acknowledgedOnce ? _maxRetransmissions : _unacknowledgedRetransmissions;

    private bool SendOptionAck(byte[] sendBuffer, AckWaiter waiter)
    {
        var length = TftpPacket.WriteOptionAck(sendBuffer, _negotiation.AcknowledgedOptions);
        for (var attempt = 0; attempt <= _unacknowledgedRetransmissions; attempt++)
        {
            _socket.Send(sendBuffer.AsSpan(0, length));
            var deadline = Environment.TickCount64 + (long)_unacknowledgedTimeout.TotalMilliseconds;
            while (true)
            {
                var reply = waiter.Wait(deadline);
                if (reply == AckWaiter.Outcome.ClientGone)
                {
                    // Typically error 8: the client refused our options (RFC 2347).
                    return false;
                }
                if (reply == AckWaiter.Outcome.Timeout)
                {
                    break;
                }
                if (waiter.AckedBlock == 0)
                {
                    _acknowledgedOnce = true;
                    return true;
                }
            }
        }
        return false;
    }

    /// <summary>Receives ACKs until a deadline, waking up regularly to notice that the server stops.</summary>
    private sealed class AckWaiter(Socket socket, byte[] buffer, CancellationToken stopping)
    {
        private const int MaxSliceMicroseconds = 250_000;

        public enum Outcome
        {
            Ack,
            Timeout,
            ClientGone,
        }

        public ushort AckedBlock { get; private set; }

        public Outcome Wait(long deadline)
        {
            while (true)
            {
                stopping.ThrowIfCancellationRequested();
                var remaining = deadline - Environment.TickCount64;
                if (remaining <= 0)
                {
                    return Outcome.Timeout;
                }
                int received;
                try
                {
                    if (!socket.Poll((int)Math.Min(remaining * 1000, MaxSliceMicroseconds), SelectMode.SelectRead))
                    {
                        continue;
                    }
                    received = socket.Receive(buffer);
                }
                catch (SocketException)
                {
                    // ICMP port unreachable arrives as ECONNREFUSED on the connected socket: the client is gone.
                    return Outcome.ClientGone;
                }
                var packet = buffer.AsSpan(0, received);
                if (TftpPacket.IsError(packet))
                {
                    return Outcome.ClientGone;
                }
                if (TftpPacket.TryReadAck(packet, out var block))
                {
                    AckedBlock = block;
                    return Outcome.Ack;
                }
                // Anything else from the client is ignored; the deadline still holds.
            }
        }
    }
}
