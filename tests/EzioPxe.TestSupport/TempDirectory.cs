namespace EzioPxe.TestSupport;

/// <summary>A fresh directory under /tmp that is removed with everything in it on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory(string prefix = "eziopxe-test")
    {
        Path = Directory.CreateTempSubdirectory(prefix + "-").FullName;
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A mount or a busy file left behind by a failed test; the test's own failure says more.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
