using System.Formats.Tar;
using System.Globalization;
using AiDevOps.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;

namespace AiDevOps.Deploy.Tests;

/// <summary>
/// The Agent's container image as deploy/images/build.sh builds it here (the SDK's PublishContainer on Debian-made base
/// images, through a loopback registry), run by podman as a user runs it: on a named volume for its queue, with its
/// Brain away, so what it scrapes must be written to that volume by the image's non-root user.
/// </summary>
public sealed class AgentImageTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    // A temp folder of the test's own for podman and the image script: the deployment fixture points the process's TMPDIR
    // at a scratch folder it deletes when its tests end, which may be while podman still unpacks an image there.
    private static readonly string Scratch = Path.Combine(RepositoryRoot.Path, ".aidevops", "tmp", "image-test-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
    private static readonly Dictionary<string, string> InScratch = new() { ["TMPDIR"] = Scratch };

    [Fact]
    public async Task The_agent_image_runs_as_app_user_and_keeps_its_queue_on_a_volume()
    {
        var name = "aidevops-image-test-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        Directory.CreateDirectory(Scratch);
        var built = ProgramRun.Checked(Path.Combine(RepositoryRoot.Path, "deploy", "images", "build.sh"), ["Agent"], RepositoryRoot.Path,
            TimeSpan.FromMinutes(10), new Dictionary<string, string>(InScratch) { ["IMAGE_TAG"] = name, ["REGISTRY_PORT"] = ServiceProcess.FreePort().ToString(CultureInfo.InvariantCulture) });
        var image = built.Split('\n', StringSplitOptions.RemoveEmptyEntries).Single(l => l.StartsWith("Agent ", StringComparison.Ordinal))[6..];
        image = image[..image.IndexOf('@', StringComparison.Ordinal)];
        output.WriteLine($"built {image}");

        await using var target = await LoopbackApp.StartAsync(app => app.MapGet("/metrics", () => TypedResults.Text(
            "# TYPE node_load1 gauge\nnode_load1 0.5\n# TYPE node_cpu_seconds_total counter\nnode_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} 12345.6\n", "text/plain; version=0.0.4")));
        var port = ServiceProcess.FreePort();
        var unreachableBrain = ServiceProcess.FreePort();
        try
        {
            Podman("volume", "create", name);
            // Limits of its own: podman's defaults (and the host's) are above what this sandbox lets runc set.
            Podman("run", "--detach", "--name", name, "--network", "host", "--ulimit", "nofile=4096:4096", "--ulimit", "nproc=4096:4096", "--volume", $"{name}:/home/app",
                "--env", $"ASPNETCORE_HTTP_PORTS={port}", "--env", "Agent__Id=image-test", "--env", "Agent__ApiKey=not-a-real-key",
                "--env", $"Agent__BrainUrl=http://127.0.0.1:{unreachableBrain}", "--env", "Agent__Interval=00:00:01",
                "--env", "Agent__Scrape__Targets__0__Job=node", "--env", $"Agent__Scrape__Targets__0__Url={target.Address}metrics", image);

            await Eventually.HoldsAsync(() => Alive(port), $"the container to answer /alive on {port}", Patience);

            var pid = int.Parse(Podman("inspect", "--format", "{{.State.Pid}}", name).Trim(), CultureInfo.InvariantCulture);
            var uid = File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith("Uid:", StringComparison.Ordinal));
            Assert.Equal("1654", uid.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1]);

            // The Brain is away: what the Agent scraped waits in its queue, on the volume, written as the app user.
            var volume = Podman("volume", "inspect", "--format", "{{.Mountpoint}}", name).Trim();
            var queue = Path.Combine(volume, "queue");
            await Eventually.HoldsAsync(() => Directory.Exists(queue) && Directory.EnumerateFiles(queue, "*", SearchOption.AllDirectories)
                .Any(f => new FileInfo(f).Length > 0), "samples in the queue on the volume", Patience);
            foreach (var entry in Directory.EnumerateFileSystemEntries(volume, "*", SearchOption.AllDirectories).Append(volume))
                Assert.Equal(1654, OwnerOf(entry));

            // Distroless: the native Agent on runtime-deps, no shell, no symbols; the volume's mount point is the app user's
            // in the image, which is what makes a new volume (Docker's as podman's) the app user's.
            var files = ExportedFiles(name);
            Assert.Contains("app/AiDevOps.Agent", files.Keys);
            Assert.Equal(1654, files["home/app"]);
            Assert.DoesNotContain(files.Keys, f => f.EndsWith(".dbg", StringComparison.Ordinal) || f.EndsWith(".pdb", StringComparison.Ordinal));
            Assert.DoesNotContain(files.Keys, f => f is "bin/sh" or "usr/bin/sh" or "usr/bin/dash" or "usr/bin/bash");
            Assert.DoesNotContain(files.Keys, f => f.StartsWith("usr/share/dotnet/", StringComparison.Ordinal));
            output.WriteLine($"image size: {Podman("image", "inspect", "--format", "{{.Size}}", image).Trim()} bytes");
        }
        finally
        {
            output.WriteLine(TryPodman("logs", name));
            TryPodman("rm", "--force", "--time", "2", name);
            TryPodman("volume", "rm", "--force", name);
            TryPodman("image", "rm", "--force", image);
            Directory.Delete(Scratch, recursive: true);
        }
    }

    private static async Task<bool> Alive(int port)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/alive"));
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    private static int OwnerOf(string path)
    {
        var stat = ProgramRun.Checked("stat", ["--format", "%u", path], RepositoryRoot.Path, TimeSpan.FromSeconds(10));
        return int.Parse(stat.Trim(), CultureInfo.InvariantCulture);
    }

    /// <summary>Every path in the container's file system (no leading slash) and its owner, as <c>podman export</c> writes it.</summary>
    private static Dictionary<string, int> ExportedFiles(string container)
    {
        var tar = Path.Combine(Scratch, container + ".tar");
        Podman("export", "--output", tar, container);
        using var reader = new TarReader(File.OpenRead(tar));
        var files = new Dictionary<string, int>(StringComparer.Ordinal);
        while (reader.GetNextEntry() is PosixTarEntry entry)
            files[entry.Name.TrimStart('.', '/').TrimEnd('/')] = entry.Uid;
        return files;
    }

    // As deploy/images/build.sh runs podman here: no systemd, and runc.
    private static string Podman(params string[] args) =>
        ProgramRun.Checked("podman", ["--cgroup-manager=cgroupfs", "--events-backend=file", "--runtime", "runc", .. args], RepositoryRoot.Path, TimeSpan.FromMinutes(2), InScratch);

    private static string TryPodman(params string[] args)
    {
        try
        {
            return Podman(args);
        }
        catch (InvalidOperationException e)
        {
            return e.Message;
        }
    }
}
