namespace EzioPxe.Server.NetBoot.Tftp;

/// <summary>
/// A file sent in netascii (RFC 1350, RFC 764: LF becomes CR LF, a bare CR becomes CR NUL),
/// converted as the blocks are read, so a transfer holds one small buffer however large the file:
/// a host asking for many netascii transfers cannot make the server hold each whole file. The
/// converted length (for tsize and the last block) is counted by one pass over the file first.
/// Reads are sequential except for resends, which go back at most a window: positions of the
/// last reads are kept to resume from.
/// </summary>
public sealed class NetAsciiContent : TftpContent
{
    /// <summary>netascii is for text (boot configs): larger files are refused, octet mode is the way for them.</summary>
    public const int MaxLength = 16 * 1024 * 1024;

    private const int RememberedPositions = 256;

    private readonly TftpContent _raw;
    private readonly long _length;
    private readonly byte[] _buffer = new byte[8192];
    private readonly Queue<Position> _positions = new();
    private long _bufferStart;
    private int _bufferLength;
    private Position _at;

    private NetAsciiContent(TftpContent raw, long length)
    {
        _raw = raw;
        _length = length;
    }

    /// <summary>Wraps <paramref name="raw"/> (which it then owns); null when the file is over <see cref="MaxLength"/>.</summary>
    public static NetAsciiContent? TryCreate(TftpContent raw)
    {
        if (raw.Length > MaxLength)
        {
            return null;
        }
        var buffer = new byte[8192];
        long length = 0;
        for (long offset = 0; offset < raw.Length;)
        {
            var read = raw.Read(offset, buffer);
            if (read == 0)
            {
                break;
            }
            length += read;
            foreach (var b in buffer.AsSpan(0, read))
            {
                if (b is (byte)'\n' or (byte)'\r')
                {
                    length++;
                }
            }
            offset += read;
        }
        return new NetAsciiContent(raw, length);
    }

    public override long Length => _length;

    public override int Read(long offset, Span<byte> destination)
    {
        if (offset >= _length)
        {
            return 0;
        }
        if (_at.Encoded != offset)
        {
            Seek(offset);
        }
        Remember();
        var written = 0;
        while (written < destination.Length && _at.Encoded < _length)
        {
            destination[written++] = Next();
        }
        return written;
    }

    private void Remember()
    {
        if (_positions.Count == RememberedPositions)
        {
            _positions.Dequeue();
        }
        _positions.Enqueue(_at);
    }

    private void Seek(long offset)
    {
        var start = default(Position);
        foreach (var position in _positions)
        {
            if (position.Encoded <= offset && position.Encoded >= start.Encoded)
            {
                start = position;
            }
        }
        _at = start;
        while (_at.Encoded < offset)
        {
            Next();
        }
    }

    /// <summary>The next converted byte; the second byte of an expansion is held in <see cref="Position.Pending"/>.</summary>
    private byte Next()
    {
        if (_at.HasPending)
        {
            var pending = _at.Pending;
            _at = _at with { HasPending = false, Encoded = _at.Encoded + 1 };
            return pending;
        }
        var b = RawByte(_at.Raw);
        _at = _at with { Raw = _at.Raw + 1, Encoded = _at.Encoded + 1 };
        switch (b)
        {
            case (byte)'\n':
                _at = _at with { HasPending = true, Pending = (byte)'\n' };
                return (byte)'\r';
            case (byte)'\r':
                _at = _at with { HasPending = true, Pending = 0 };
                return (byte)'\r';
            default:
                return b;
        }
    }

    private byte RawByte(long position)
    {
        if (position < _bufferStart || position >= _bufferStart + _bufferLength)
        {
            _bufferStart = position;
            _bufferLength = _raw.Read(position, _buffer);
            if (_bufferLength == 0)
            {
                // The file shrank since it was counted: pad, the length promised in tsize holds.
                _buffer[0] = 0;
                _bufferLength = 1;
            }
        }
        return _buffer[position - _bufferStart];
    }

    public override void Dispose()
    {
        _raw.Dispose();
        base.Dispose();
    }

    private readonly record struct Position(long Encoded, long Raw, bool HasPending, byte Pending);
}
