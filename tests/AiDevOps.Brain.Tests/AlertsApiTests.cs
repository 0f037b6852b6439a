using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace AiDevOps.Brain.Tests;

/// <summary>Alertmanager's API v2 on the real Brain: what it refuses.</summary>
public sealed class AlertsApiTests(BrainFactory brain) : IClassFixture<BrainFactory>
{
    [Fact]
    public async Task A_null_label_value_is_a_400_and_opens_nothing()
    {
        var name = "ApiV2" + Guid.NewGuid().ToString("N")[..8];
        using var client = brain.ClientWithKey(BrainFactory.AcmeKey);
        using var response = await client.PostAsync("/api/v2/alerts",
            new StringContent($$$"""[{"labels":{"alertname":"{{{name}}}","severity":null}}]""", Encoding.UTF8, "application/json"));
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("severity", problem.GetProperty("errors").GetProperty("[0].labels")[0].GetString(), StringComparison.Ordinal);

        var anomalies = await client.GetFromJsonAsync<JsonElement>("/api/anomalies?state=all&limit=1000");
        Assert.DoesNotContain(anomalies.EnumerateArray(), a => a.GetProperty("labels").TryGetProperty("alertname", out var n) && n.GetString() == name);
    }
}
