using Microsoft.Extensions.Options;

namespace AiDevOps.Brain.Tests;

public class ApiKeyAuthenticatorTests
{
    private static readonly ApiKeyAuthenticator Authenticator = new(Options.Create(new AgentKeysOptions
    {
        Agents =
        [
            new AgentKeyOptions { Id = "edge-1", Tenant = "acme", KeySha256 = ApiKeyHash.HexOf("key-one") },
            new AgentKeyOptions { Id = "edge-2", Tenant = "globex", KeySha256 = ApiKeyHash.HexOf("key-two") },
        ],
    }));

    [Fact]
    public void Resolves_each_key_to_its_agent_and_tenant()
    {
        Assert.Equal(new AgentIdentity("edge-1", "acme"), Authenticator.Authenticate("Bearer key-one"));
        Assert.Equal(new AgentIdentity("edge-2", "globex"), Authenticator.Authenticate("bearer key-two"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Bearer ")]
    [InlineData("Bearer key-three")]
    [InlineData("Basic a2V5LW9uZQ==")]
    [InlineData("key-one")]
    public void Refuses_missing_wrong_or_non_bearer_credentials(string? header) =>
        Assert.Null(Authenticator.Authenticate(header));

    [Fact]
    public void Options_name_the_agent_whose_key_hash_is_malformed()
    {
        var options = new AgentKeysOptions { Agents = [new AgentKeyOptions { Id = "edge-1", KeySha256 = "not-a-hash" }] };
        var errors = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).ToList();
        Assert.Contains(errors, e => e.ErrorMessage!.Contains("Ingest:Agents:0:KeySha256", StringComparison.Ordinal));
    }
}
