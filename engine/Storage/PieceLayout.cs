using EzioPxe.Engine.Metainfo;

namespace EzioPxe.Engine.Storage;

/// <summary>
/// Maps piece ranges onto the torrent's files. Image torrents hold thousands of files (one per
/// used extent), so the lookup is a binary search over file start offsets, not a scan.
/// </summary>
public sealed class PieceLayout
{
    private readonly long[] _fileStarts;
    private readonly long[] _fileLengths;

    public PieceLayout(TorrentInfo info)
    {
        Info = info;
        _fileStarts = info.Files.Select(f => f.Offset).ToArray();
        _fileLengths = info.Files.Select(f => f.Length).ToArray();
    }

    public TorrentInfo Info { get; }

    /// <summary>The file runs covering <paramref name="length"/> bytes from <paramref name="offset"/> into <paramref name="piece"/>, in order; empty files are skipped.</summary>
    public List<FileSpan> Map(int piece, int offset, int length)
    {
        var pieceSize = Info.GetPieceSize(piece);
        if (offset < 0 || length < 0 || offset + length > pieceSize)
        {
            throw new ArgumentOutOfRangeException(nameof(length), $"bytes {offset}..{offset + length} are outside piece {piece} of {pieceSize} bytes");
        }
        var spans = new List<FileSpan>(2);
        var position = (long)piece * Info.PieceLength + offset;
        var file = FindFile(position);
        var bufferOffset = 0;
        while (bufferOffset < length)
        {
            var inFile = position - _fileStarts[file];
            var run = (int)Math.Min(length - bufferOffset, _fileLengths[file] - inFile);
            if (run > 0)
            {
                spans.Add(new FileSpan(file, inFile, bufferOffset, run));
                bufferOffset += run;
                position += run;
            }
            file++;
        }
        return spans;
    }

    /// <summary>The index of the non-empty file holding torrent byte <paramref name="position"/>.</summary>
    private int FindFile(long position)
    {
        var index = Array.BinarySearch(_fileStarts, position);
        if (index < 0)
        {
            index = ~index - 1;
        }
        // Several files may start at the same offset when some are empty; take the one that has bytes.
        while (index < _fileLengths.Length - 1 && _fileStarts[index] + _fileLengths[index] <= position)
        {
            index++;
        }
        return index;
    }
}
