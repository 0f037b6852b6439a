namespace AiDevOps.Testing;

/// <summary>
/// A real Redis (Debian's redis-server, installed by eng/test.sh) on a free loopback port, in memory only: the
/// clustering store several Brains share.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly ServiceProcess _process;

    private RedisServer(ServiceProcess process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>As StackExchange.Redis takes it.</summary>
    public string ConnectionString => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync()
    {
        var port = ServiceProcess.FreePort();
        var process = await ServiceProcess.StartAsync("redis-server",
            ["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            port, readyPath: null);
        return new RedisServer(process, port);
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
