namespace EzioPxe.Server.Tracker;

/// <summary>BEP 48 scrape numbers for one torrent: seeders, leechers, completed downloads.</summary>
public readonly record struct SwarmCounts(int Complete, int Incomplete, int Downloaded);
