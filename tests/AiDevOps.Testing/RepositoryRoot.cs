namespace AiDevOps.Testing;

public static class RepositoryRoot
{
    /// <summary>The folder holding AiDevOps.sln, found upwards from the test binaries.</summary>
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(folder.FullName, "AiDevOps.sln")))
                return folder.FullName;
        }
        throw new InvalidOperationException("AiDevOps.sln not found above " + AppContext.BaseDirectory);
    }
}
