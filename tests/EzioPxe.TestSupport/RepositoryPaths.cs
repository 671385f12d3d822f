namespace EzioPxe.TestSupport;

/// <summary>Where the repository's files are, found from the test assembly's location.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Of(string relative) => Path.Combine(Root, relative);

    /// <summary>The published NativeAOT client (<c>./build.sh client</c>), which every test that runs the real client runs.</summary>
    public static string ClientBinary { get; } = Of("out/client/eziopxe-client");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EzioPxe.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("EzioPxe.sln not found above " + AppContext.BaseDirectory);
    }
}
