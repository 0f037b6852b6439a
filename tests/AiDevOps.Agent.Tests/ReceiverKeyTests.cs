using System.Security.Cryptography;
using System.Text;
using AiDevOps.Agent.Apis;

namespace AiDevOps.Agent.Tests;

public class ReceiverKeyTests
{
    private static readonly string Hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("receiver-key")));

    private static string Basic(string user, string password) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password));

    [Theory]
    [InlineData("Bearer receiver-key")]
    [InlineData("bearer receiver-key")]
    public void The_key_as_a_bearer_token_is_taken(string header) => Assert.Null(ReceiverKey.Refusal(header, Hash));

    [Fact]
    public void The_key_as_the_basic_auth_password_is_taken_whatever_the_user() =>
        Assert.Null(ReceiverKey.Refusal(Basic("prometheus", "receiver-key"), Hash));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Bearer ")]
    [InlineData("Bearer other-key")]
    [InlineData("Basic !!not-base64")]
    [InlineData("Digest receiver-key")]
    public void Anything_else_is_refused_without_naming_the_key(string? header)
    {
        var refusal = ReceiverKey.Refusal(header, Hash);
        Assert.NotNull(refusal);
        Assert.DoesNotContain("receiver-key", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_configured_key_nothing_is_taken_and_the_refusal_says_what_to_set()
    {
        Assert.Contains("Agent:Receiver:KeySha256", ReceiverKey.Refusal("Bearer receiver-key", null), StringComparison.Ordinal);
        Assert.NotNull(ReceiverKey.Refusal(Basic("u", "receiver-key"), ""));
    }
}
