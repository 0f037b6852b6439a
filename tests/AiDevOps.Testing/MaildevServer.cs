using System.Net.Http.Json;
using System.Text.Json;

namespace AiDevOps.Testing;

/// <summary>An e-mail as maildev received it: its parsed headers, and its raw source for exact assertions on the bodies.</summary>
public sealed record ReceivedEmail(string Id, string Subject, IReadOnlyList<string> From, IReadOnlyList<string> To, string Text, string Source);

/// <summary>
/// A real maildev (an SMTP sink with a REST API) on free loopback ports, its mails in a temporary folder, from the
/// copy under .aidevops/tools (installed with npm when missing). Optionally it wants a login and limits the size of
/// a message, as a real server does.
/// </summary>
/// <remarks>
/// maildev 3 serves its REST API under <c>/api</c> (<c>GET /api/email</c>), and cleans the <c>html</c> field it
/// returns with DOMPurify, which would hide an escaping bug: assertions on the HTML read the raw source instead.
/// </remarks>
public sealed class MaildevServer : IAsyncDisposable
{
    public const string Version = "3.0.0";
    private readonly ServiceProcess _process;
    private readonly string _folder;
    private readonly HttpClient _api;

    private MaildevServer(ServiceProcess process, string folder, int smtpPort)
    {
        _process = process;
        _folder = folder;
        SmtpPort = smtpPort;
        _api = new HttpClient { BaseAddress = new Uri(process.BaseUrl, "/api/"), Timeout = TimeSpan.FromSeconds(10) };
    }

    public int SmtpPort { get; }

    public string Output => _process.Output;

    public static async Task<MaildevServer> StartAsync(string? username = null, string? password = null, long? maxMessageBytes = null)
    {
        var binary = await NpmTool.BinaryAsync("maildev", Version, "maildev");
        // Two free ports are only free when asked: another process may take one before maildev binds it, and a
        // loaded machine may start node slowly. A fresh pair of ports on a second try, more time on each.
        for (var attempt = 1; ; attempt++)
        {
            var smtpPort = ServiceProcess.FreePort();
            var webPort = ServiceProcess.FreePort();
            var folder = Path.Combine(Path.GetTempPath(), "aidevops-maildev-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(folder);
            List<string> arguments =
            [
                "--smtp", smtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--ip", "127.0.0.1",
                "--web", webPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--web-ip", "127.0.0.1",
                "--mail-directory", folder,
            ];
            if (username is not null && password is not null)
                arguments.AddRange(["--incoming-user", username, "--incoming-pass", password]);
            if (maxMessageBytes is { } max)
                arguments.AddRange(["--max-message-size", max.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            try
            {
                var process = await ServiceProcess.StartAsync(binary, arguments, webPort, "/api/healthz", timeout: TimeSpan.FromSeconds(90));
                return new MaildevServer(process, folder, smtpPort);
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    public async Task<IReadOnlyList<ReceivedEmail>> EmailsAsync()
    {
        var emails = new List<ReceivedEmail>();
        foreach (var email in (await _api.GetFromJsonAsync<JsonElement>("email")).EnumerateArray())
        {
            var id = email.GetProperty("id").GetString()!;
            emails.Add(new ReceivedEmail(
                id,
                email.GetProperty("subject").GetString() ?? "",
                Addresses(email, "from"),
                Addresses(email, "to"),
                email.TryGetProperty("text", out var text) ? text.GetString() ?? "" : "",
                await _api.GetStringAsync($"email/{Uri.EscapeDataString(id)}/source")));
        }
        return emails;
    }

    public async Task<ReceivedEmail> WaitForEmailAsync(Func<ReceivedEmail, bool> predicate, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        IReadOnlyList<ReceivedEmail> seen = [];
        while (DateTime.UtcNow < deadline)
        {
            seen = await EmailsAsync();
            if (seen.FirstOrDefault(predicate) is { } email)
                return email;
            await Task.Delay(200);
        }
        throw new TimeoutException($"No matching e-mail within {timeout}. Received: {string.Join(" | ", seen.Select(e => e.Subject))}");
    }

    private static List<string> Addresses(JsonElement email, string field) =>
        email.TryGetProperty(field, out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Select(a => a.GetProperty("address").GetString() ?? "").ToList()
            : [];

    public async ValueTask DisposeAsync()
    {
        _api.Dispose();
        await _process.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }
}
