using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AiDevOps.Brain.Alerting;

namespace AiDevOps.Brain.Tests;

public sealed class RoutesTests(BrainFactory brain) : IClassFixture<BrainFactory>
{
    private const string Routes = "/api/alert-config/routes";

    private static readonly Receiver Ops = new("telegram", "-100001");
    private static readonly Receiver Db = new("telegram", "-100002");

    [Fact]
    public void Without_routes_every_receiver_gets_every_alert()
    {
        var labels = new Dictionary<string, string> { ["job"] = "node" };
        Assert.Equal([Ops, Db], Routing.ReceiversFor(labels, [], [Ops, Db]));
    }

    [Fact]
    public void With_routes_an_alert_goes_to_the_receivers_of_every_route_it_matches()
    {
        AlertRoute[] routes =
        [
            new("r1", "{job=\"postgres\"}", [Db.Id]),
            new("r2", "{severity=~\"page|critical\"}", [Ops.Id]),
        ];
        Assert.Equal([Db], Routing.ReceiversFor(new Dictionary<string, string> { ["job"] = "postgres" }, routes, [Ops, Db]));
        Assert.Equal([Ops, Db], Routing.ReceiversFor(
            new Dictionary<string, string> { ["job"] = "postgres", ["severity"] = "page" }, routes, [Ops, Db]));
        Assert.Empty(Routing.ReceiversFor(new Dictionary<string, string> { ["job"] = "node" }, routes, [Ops, Db]));
    }

    [Fact]
    public async Task Routes_are_created_read_replaced_and_deleted_and_must_name_known_receivers()
    {
        using var client = brain.ClientWithKey(BrainFactory.AcmeKey);
        using var receiver = await client.PostAsJsonAsync("/api/alert-config/receivers", new { channel = "telegram", address = "-100777" });
        var receiverId = (await receiver.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        using var created = await client.PostAsJsonAsync(Routes, new { selector = "{job=\"node\"}", receivers = new[] { receiverId } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        Assert.Equal("{job=\"node\"}", (await client.GetFromJsonAsync<JsonElement>($"{Routes}/{id}")).GetProperty("selector").GetString());

        using var replaced = await client.PutAsJsonAsync($"{Routes}/{id}", new { selector = "{job=~\"node|db\"}", receivers = new[] { receiverId } });
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);

        using var globex = brain.ClientWithKey(BrainFactory.GlobexKey);
        Assert.Equal(HttpStatusCode.NotFound, (await globex.GetAsync($"{Routes}/{id}")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"{Routes}/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"{Routes}/{id}")).StatusCode);
    }

    [Fact]
    public async Task A_bad_selector_or_an_unknown_receiver_is_a_validation_problem_naming_the_field()
    {
        using var client = brain.ClientWithKey(BrainFactory.AcmeKey);
        using var response = await client.PostAsJsonAsync(Routes, new { selector = "{job=", receivers = (string[])["nope"] });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("selector", out _));
        Assert.Contains("'nope'", errors.GetProperty("receivers")[0].GetString(), StringComparison.Ordinal);
    }
}
