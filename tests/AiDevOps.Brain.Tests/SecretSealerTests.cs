using System.Net.Http.Json;
using System.Security.Cryptography;
using AiDevOps.Brain.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AiDevOps.Brain.Tests;

public sealed class SecretSealerTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "aidevops-sealer-" + Guid.NewGuid().ToString("N"));

    private SecretSealer Sealer(string name = "brain.key") => new(LocalKeyWrapper.FromFile(Path.Combine(_folder, name)));

    [Fact]
    public async Task A_secret_is_sealed_each_time_afresh_and_opens_to_itself()
    {
        var sealer = Sealer();
        var first = await sealer.SealAsync("123456:bot-token-of-acme", CancellationToken.None);
        var second = await sealer.SealAsync("123456:bot-token-of-acme", CancellationToken.None);

        Assert.StartsWith(SecretSealer.Prefix, first, StringComparison.Ordinal);
        Assert.DoesNotContain("bot-token", first, StringComparison.Ordinal);
        Assert.NotEqual(first, second);
        Assert.Equal("123456:bot-token-of-acme", await Sealer().OpenAsync(second, CancellationToken.None));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_folder, "brain.key")));
    }

    [Fact]
    public async Task A_tampered_secret_or_another_key_does_not_open_and_a_secret_stored_before_sealing_reads_as_it_was()
    {
        var sealer = Sealer();
        var sealedSecret = await sealer.SealAsync("https://hooks.slack.com/services/T0/B0/xyz", CancellationToken.None);
        var tampered = sealedSecret[..^4] + (sealedSecret[^4] == 'A' ? 'B' : 'A') + sealedSecret[^3..];

        await Assert.ThrowsAnyAsync<CryptographicException>(() => Sealer().OpenAsync(tampered, CancellationToken.None));
        var other = await Assert.ThrowsAnyAsync<CryptographicException>(() => Sealer("other.key").OpenAsync(sealedSecret, CancellationToken.None));
        Assert.Contains("Secrets:LocalKeyPath", other.Message, StringComparison.Ordinal);
        Assert.Equal("plain-from-an-older-brain", await sealer.OpenAsync("plain-from-an-older-brain", CancellationToken.None));
    }

    [Fact]
    public async Task A_key_given_in_configuration_seals_alike_in_every_brain_that_has_it()
    {
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(LocalKeyWrapper.KeySize));
        var sealedSecret = await new SecretSealer(LocalKeyWrapper.FromKey(key)).SealAsync("123456:bot-token", CancellationToken.None);

        Assert.Equal("123456:bot-token", await new SecretSealer(LocalKeyWrapper.FromKey(key)).OpenAsync(sealedSecret, CancellationToken.None));
        var other = await Assert.ThrowsAnyAsync<CryptographicException>(() =>
            new SecretSealer(LocalKeyWrapper.FromKey(Convert.ToBase64String(new byte[LocalKeyWrapper.KeySize]))).OpenAsync(sealedSecret, CancellationToken.None));
        Assert.Contains("Secrets:LocalKey)", other.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("c2hvcnQ=")]
    public void A_key_that_is_not_32_bytes_of_base64_is_named_without_its_value(string key)
    {
        var problems = new SecretsOptions { LocalKey = key }.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(new object())).ToList();

        var problem = Assert.Single(problems);
        Assert.Contains("Secrets:LocalKey", problem.ErrorMessage, StringComparison.Ordinal);
        Assert.DoesNotContain(key, problem.ErrorMessage, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
            Directory.Delete(_folder, recursive: true);
    }
}

public sealed class SealedReceiverSecretsTests(BrainFactory brain) : IClassFixture<BrainFactory>
{
    [Fact]
    public async Task A_receivers_secret_is_stored_sealed_and_still_reaches_its_channel()
    {
        using var client = brain.ClientWithKey(BrainFactory.AcmeKey);
        using var created = await client.PostAsJsonAsync("/api/alert-config/receivers", new { channel = "telegram", address = "-100555", secret = "555:sealed-bot-token" });
        created.EnsureSuccessStatusCode();

        var table = brain.Services.GetRequiredService<IKeyValueTable>();
        var configs = brain.Services.GetRequiredService<IOptions<StorageOptions>>().Value.AlertConfigsTable;
        var stored = await table.GetAsync(configs, "acme", "telegram|-100555", CancellationToken.None);
        Assert.StartsWith(SecretSealer.Prefix, stored!.Attributes["secret"], StringComparison.Ordinal);
        Assert.DoesNotContain("sealed-bot-token", stored.Attributes["secret"], StringComparison.Ordinal);

        var receiver = Assert.Single(await brain.Services.GetRequiredService<Alerting.AlertConfigStore>().ListReceiversAsync("acme", CancellationToken.None),
            r => r.Address == "-100555");
        Assert.Equal("555:sealed-bot-token", receiver.Secret);
    }
}
