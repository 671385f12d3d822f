namespace EzioPxe.Engine.Storage;

/// <summary>A run of bytes of one torrent file that a piece range covers.</summary>
/// <param name="FileIndex">Index into the torrent's file list.</param>
/// <param name="FileOffset">Where the run starts inside that file.</param>
/// <param name="BufferOffset">Where the run starts inside the caller's buffer.</param>
/// <param name="Length">Bytes in the run.</param>
public readonly record struct FileSpan(int FileIndex, long FileOffset, int BufferOffset, int Length);
