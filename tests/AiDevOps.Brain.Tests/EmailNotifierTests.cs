using System.Net;
using System.Net.Sockets;
using System.Text;
using AiDevOps.Brain.Alerting;
using AiDevOps.Brain.Alerting.Notifiers.Email;
using AiDevOps.Brain.Detection;
using AiDevOps.Testing;
using Microsoft.Extensions.Options;
using MimeKit;

namespace AiDevOps.Brain.Tests;

public static class ReceivedEmailExtensions
{
    /// <summary>The message as MimeKit reads its raw source: bodies decoded exactly, not as maildev cleaned them.</summary>
    public static MimeMessage Parsed(this ReceivedEmail email) => MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(email.Source)));
}

/// <summary>One maildev for the class, wanting a login and limiting a message's size as a real server does.</summary>
public sealed class MaildevFixture : IAsyncLifetime
{
    public const string Username = "alerts";
    public const string Password = "smtp-pass-never-shown";
    public const long MaxMessageBytes = 100_000;

    public MaildevServer Maildev { get; private set; } = null!;

    public async Task InitializeAsync() => Maildev = await MaildevServer.StartAsync(Username, Password, MaxMessageBytes);

    public async Task DisposeAsync() => await Maildev.DisposeAsync();
}

public sealed class EmailNotifierTests(MaildevFixture sink) : IClassFixture<MaildevFixture>
{
    private static readonly DateTimeOffset OpenedAt = DateTimeOffset.Parse("2026-11-28T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    private static Notification Firing(string job, string? summary = null) => TestNotifications.Firing(new Anomaly(
        "id-" + job.GetHashCode(StringComparison.Ordinal),
        Series.Of("acme", new Dictionary<string, string> { ["__name__"] = "up", ["job"] = job, ["instance"] = "a&b:9100" }),
        AnomalyKinds.TargetDown, UpDetector.Name, 1, OpenedAt,
        Evidence: "up went 1 → 0 & stayed <0.5>", Summary: summary ?? "Restart \"it\" & check <b>disk</b>.\nThen look at the logs."));

    private EmailOptions Settings(string? password = MaildevFixture.Password) => new()
    {
        Host = "127.0.0.1",
        Port = sink.Maildev.SmtpPort,
        Tls = EmailOptions.NoTls,
        From = "AiDevOps <alerts@example.com>",
        Username = MaildevFixture.Username,
        Password = password,
    };

    private static EmailNotifier Notifier(EmailOptions settings) => new(Options.Create(settings));

    /// <summary>A recipient of its own per test, so tests sharing the sink find their own mail.</summary>
    private static Receiver NewReceiver() => new("email", $"oncall-{Guid.NewGuid():N}@example.com");

    private async Task<MimeMessage> ReceivedAsync(Receiver receiver, string subjectStart)
    {
        var email = await sink.Maildev.WaitForEmailAsync(
            e => e.To.Contains(receiver.Address) && e.Subject.StartsWith(subjectStart, StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        Assert.Equal(["alerts@example.com"], email.From);
        return email.Parsed();
    }

    [Fact]
    public async Task A_firing_alert_arrives_with_html_and_plain_text_bodies_every_value_escaped()
    {
        var receiver = NewReceiver();
        var result = await Notifier(Settings()).NotifyAsync(receiver, Firing("<script>alert(1)</script>"), CancellationToken.None);

        Assert.True(result.Delivered, result.Error);
        var message = await ReceivedAsync(receiver, "[FIRING]");
        Assert.Equal("[FIRING] Target down: up{instance=\"a&b:9100\",job=\"<script>alert(1)</script>\"}", message.Subject);
        Assert.IsType<MultipartAlternative>(message.Body);

        Assert.Contains("up{instance=\"a&b:9100\",job=\"<script>alert(1)</script>\"}", message.TextBody, StringComparison.Ordinal);
        Assert.Contains("Since 2026-11-28 10:00:00 UTC", message.TextBody, StringComparison.Ordinal);
        Assert.Contains("Restart \"it\" & check <b>disk</b>.", message.TextBody, StringComparison.Ordinal);

        var html = message.HtmlBody;
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", html, StringComparison.Ordinal);
        Assert.Contains("job=&quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot;", html, StringComparison.Ordinal);
        Assert.Contains("instance=&quot;a&amp;b:9100&quot;", html, StringComparison.Ordinal);
        Assert.Contains("up went 1 → 0 &amp; stayed &lt;0.5&gt;", html, StringComparison.Ordinal);
        Assert.Contains("Restart &quot;it&quot; &amp; check &lt;b&gt;disk&lt;/b&gt;.<br>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_resolve_says_how_long_it_lasted_and_answers_its_firing()
    {
        var receiver = NewReceiver();
        var firing = Firing("node");
        var resolved = TestNotifications.AsResolved(firing.Anomaly with { ResolvedAt = OpenedAt.AddSeconds(95) });
        var notifier = Notifier(Settings());

        Assert.True((await notifier.NotifyAsync(receiver, firing, CancellationToken.None)).Delivered);
        Assert.True((await notifier.NotifyAsync(receiver, resolved, CancellationToken.None)).Delivered);

        var first = await ReceivedAsync(receiver, "[FIRING]");
        var second = await ReceivedAsync(receiver, "[RESOLVED] Target down: up{");
        Assert.Contains("After 1m 35s (since 2026-11-28 10:00:00 UTC)", second.TextBody, StringComparison.Ordinal);
        Assert.Contains("Resolved: Target down", second.HtmlBody, StringComparison.Ordinal);
        Assert.Equal(first.MessageId, second.InReplyTo);
    }

    [Fact]
    public async Task A_message_the_server_refuses_with_5xx_is_not_retried()
    {
        var result = await Notifier(Settings()).NotifyAsync(NewReceiver(), Firing("big", summary: new string('x', 200_000)), CancellationToken.None);

        Assert.False(result.Delivered);
        Assert.False(result.Retryable);
        Assert.Contains("552", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_login_is_final_and_never_shows_the_password()
    {
        var result = await Notifier(Settings(password: "wrong-pass-4711")).NotifyAsync(NewReceiver(), Firing("node"), CancellationToken.None);

        Assert.False(result.Retryable);
        Assert.Contains("Email:Username", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-pass-4711", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_is_down_or_does_not_answer_is_worth_retrying()
    {
        var down = Settings();
        down.Port = ServiceProcess.FreePort();
        var refused = await Notifier(down).NotifyAsync(NewReceiver(), Firing("node"), CancellationToken.None);
        Assert.True(refused.Retryable, refused.Error);

        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start(); // accepts connections in its backlog and never greets
        var mute = Settings();
        mute.Port = ((IPEndPoint)silent.LocalEndpoint).Port;
        mute.Timeout = TimeSpan.FromSeconds(1);
        var timedOut = await Notifier(mute).NotifyAsync(NewReceiver(), Firing("node"), CancellationToken.None);
        Assert.True(timedOut.Retryable, timedOut.Error);
        Assert.Contains("Email:Timeout", timedOut.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("MAIL", "451 4.3.0 Mail server temporarily rejected message", true)]
    [InlineData("RCPT", "452 4.2.2 Mailbox full", true)]
    [InlineData("RCPT", "550 5.1.1 No such user", false)]
    [InlineData("DATA", "554 5.7.1 Rejected as spam", false)]
    public async Task Transient_4xx_replies_are_retried_and_permanent_5xx_are_not(string command, string reply, bool retryable)
    {
        await using var server = ScriptedSmtpServer.Start(command, reply);
        var settings = Settings();
        settings.Port = server.Port;
        settings.Username = null;
        settings.Password = null;

        var result = await Notifier(settings).NotifyAsync(NewReceiver(), Firing("node"), CancellationToken.None);

        Assert.False(result.Delivered);
        Assert.Equal(retryable, result.Retryable);
        Assert.Contains(reply[..3], result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_Email_Host_the_channel_refuses_receivers_and_fails_saying_what_to_set()
    {
        var notifier = Notifier(new EmailOptions());

        Assert.Contains("Email:Host", notifier.Validate("ops@example.com", null)["channel"][0], StringComparison.Ordinal);
        var result = await notifier.NotifyAsync(NewReceiver(), Firing("node"), CancellationToken.None);
        Assert.False(result.Retryable);
        Assert.Contains("Email:Host", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ops@example.com", true)]
    [InlineData("first.last+alerts@ops.example.co.uk", true)]
    [InlineData("not an address", false)]
    [InlineData("ops@", false)]
    [InlineData("ops@example.com, boss@example.com", false)]
    [InlineData("Ops <ops@example.com>", false)]
    [InlineData("ops@example.com\r\nBcc: everyone@example.com", false)]
    public void A_receivers_address_is_one_plain_email_address(string address, bool valid)
    {
        var errors = Notifier(Settings()).Validate(address, null);
        Assert.Equal(valid, !errors.ContainsKey("address"));
    }

    [Fact]
    public void An_email_receiver_takes_no_secret_and_the_error_does_not_repeat_it()
    {
        var errors = Notifier(Settings()).Validate("ops@example.com", "a-secret-4711");
        Assert.DoesNotContain("a-secret-4711", Assert.Single(errors["secret"]), StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_email_settings_stop_the_Brain_naming_each_option_and_value_but_never_the_password()
    {
        var error = BrainFactory.StartupError(
            ("Email:Host", "smtp://mail.example.com"), ("Email:Port", "0"), ("Email:Tls", "ssl"), ("Email:From", "alerts"),
            ("Email:Password", "hunter2-never-shown"));

        Assert.Contains("Email:Host 'smtp://mail.example.com' must be a host name", error, StringComparison.Ordinal);
        Assert.Contains("Email:Port '0' must be between 1 and 65535", error, StringComparison.Ordinal);
        Assert.Contains("Email:Tls 'ssl' must be none, starttls or tls", error, StringComparison.Ordinal);
        Assert.Contains("Email:From 'alerts' must be one e-mail address", error, StringComparison.Ordinal);
        Assert.Contains("Email:Password is set but Email:Username is not", error, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error, StringComparison.Ordinal);
    }

    /// <summary>
    /// A minimal SMTP server that greets, accepts EHLO and every command, except that it answers
    /// <c>reply</c> to the first command starting with <c>command</c>: how real servers answer 4xx and 5xx.
    /// </summary>
    private sealed class ScriptedSmtpServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private Task _serving = Task.CompletedTask;

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public static ScriptedSmtpServer Start(string command, string reply)
        {
            var server = new ScriptedSmtpServer();
            server._listener.Start();
            server._serving = server.ServeAsync(command, reply);
            return server;
        }

        private async Task ServeAsync(string command, string reply)
        {
            using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            await using var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII);
            await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
            await writer.WriteLineAsync("220 scripted ESMTP");
            var inData = false;
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                if (inData)
                {
                    if (line == ".")
                    {
                        inData = false;
                        await writer.WriteLineAsync(command == "DATA" ? reply : "250 2.0.0 queued");
                    }
                    continue;
                }
                var answer = line.ToUpperInvariant() switch
                {
                    var l when l.StartsWith(command, StringComparison.Ordinal) && command != "DATA" => reply,
                    var l when l.StartsWith("EHLO", StringComparison.Ordinal) => "250-scripted\r\n250 8BITMIME",
                    "DATA" => "354 go ahead",
                    "QUIT" => "221 bye",
                    _ => "250 2.0.0 ok",
                };
                inData = answer.StartsWith("354", StringComparison.Ordinal);
                await writer.WriteLineAsync(answer);
                if (answer.StartsWith("221", StringComparison.Ordinal))
                    break;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            try
            {
                await _serving;
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
            {
                // The client hung up first.
            }
            _stop.Dispose();
        }
    }
}
