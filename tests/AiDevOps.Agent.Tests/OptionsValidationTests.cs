using AiDevOps.Agent.Apis;
using AiDevOps.Agent.Delivery;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AiDevOps.Agent.Tests;

/// <summary>The Agent's options as its host checks them: by build-time validators (no reflection), attributes and rules alike.</summary>
public sealed class OptionsValidationTests
{
    private static OptionsValidationException Refusal<TOptions>(params (string Key, string Value)[] settings) where TOptions : class
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)));
        builder.AddApplicationServices();
        using var services = builder.Services.BuildServiceProvider();
        return Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<TOptions>>().Value);
    }

    [Fact]
    public void An_attribute_bound_is_checked_and_named() =>
        Assert.Contains("MaxSamplesPerBatch", Refusal<DeliveryOptions>(("Agent:Delivery:MaxSamplesPerBatch", "5")).Message);

    [Fact]
    public void A_time_bound_names_the_setting_and_its_value() =>
        Assert.Contains("Agent:Delivery:MaxBackoff '01:00:00' must be between", Refusal<DeliveryOptions>(("Agent:Delivery:MaxBackoff", "01:00:00")).Message);

    [Fact]
    public void A_rule_of_the_options_themselves_is_checked() =>
        Assert.Contains("Agent:Receiver:KeySha256 must be 64 hexadecimal characters",
            Refusal<ReceiverOptions>(("Agent:Receiver:KeySha256", "not-a-hash")).Message);
}
