using EzioPxe.Engine.Metainfo;

namespace EzioPxe.Engine.Tracker;

/// <summary>What a client tells the tracker about itself.</summary>
public sealed record AnnounceRequest(
    InfoHash InfoHash,
    byte[] PeerId,
    int Port,
    long Uploaded,
    long Downloaded,
    long Left,
    TrackerEvent Event,
    int NumWant = 200);
