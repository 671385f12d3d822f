using EzioPxe.Engine.Storage;
using EzioPxe.Engine.Swarm;

namespace EzioPxe.Server.Seeding;

/// <summary>An image being seeded: its engine session and the storage it reads from.</summary>
public sealed record SeededImage(ServedImage Image, TorrentSession Session, IPieceStorage Storage);
