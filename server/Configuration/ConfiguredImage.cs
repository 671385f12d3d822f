namespace EzioPxe.Server.Configuration;

/// <summary>A validated image entry: paths made absolute, piece size parsed.</summary>
public sealed record ConfiguredImage(string Name, string SourcePath, string TorrentPath, int? PieceLength);
