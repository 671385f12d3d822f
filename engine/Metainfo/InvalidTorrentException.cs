namespace EzioPxe.Engine.Metainfo;

/// <summary>A .torrent that parses as bencode but is not a valid v1 metainfo; the message names the key.</summary>
public sealed class InvalidTorrentException(string message, Exception? inner = null) : FormatException(message, inner);
