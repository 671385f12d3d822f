namespace EzioPxe.Server.Tasks;

/// <summary>
/// Past deployments, newest last, in DataDirectory/history.json: the last <see cref="MaxRecords"/>
/// are kept (older ones are dropped), so the file stays small whatever the room does.
/// </summary>
public sealed class DeploymentHistory
{
    public const int MaxRecords = 2000;

    public const string FileName = "history.json";

    private readonly object _lock = new();
    private readonly string _path;
    private readonly List<DeploymentRecord> _records;

    private DeploymentHistory(string path, List<DeploymentRecord> records)
    {
        _path = path;
        _records = records.Count > MaxRecords ? records[^MaxRecords..] : records;
    }

    /// <summary>Reads DIRECTORY/history.json (none: empty). A broken file throws <see cref="InvalidDataException"/>.</summary>
    public static DeploymentHistory Open(string dataDirectory)
    {
        var path = System.IO.Path.Combine(dataDirectory, FileName);
        return new DeploymentHistory(path, JsonFile.Read(path, TaskJsonContext.Default.ListDeploymentRecord, []));
    }

    public string Path => _path;

    public void Add(DeploymentRecord record)
    {
        lock (_lock)
        {
            _records.Add(record);
            if (_records.Count > MaxRecords)
            {
                _records.RemoveRange(0, _records.Count - MaxRecords);
            }
            JsonFile.Write(_path, _records, TaskJsonContext.Default.ListDeploymentRecord);
        }
    }

    /// <summary>The newest <paramref name="count"/> records, newest first.</summary>
    public IReadOnlyList<DeploymentRecord> Latest(int count)
    {
        lock (_lock)
        {
            return _records.AsEnumerable().Reverse().Take(count).ToList();
        }
    }
}
