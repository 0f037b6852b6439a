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

    private static IReadOnlyList<Receiver> ReceiversFor(IReadOnlyDictionary<string, string> labels, IReadOnlyList<AlertRoute> routes) =>
        [.. Routing.Match(labels, routes, [Ops, Db]).SelectMany(m => m.Receivers).Distinct()];

    [Fact]
    public void Without_routes_every_receiver_gets_every_alert_on_the_default_route()
    {
        var match = Assert.Single(Routing.Match(new Dictionary<string, string> { ["job"] = "node" }, [], [Ops, Db]));
        Assert.Equal(AlertRoute.DefaultId, match.Route.Id);
        Assert.Equal([Ops, Db], match.Receivers);
    }

    [Fact]
    public void The_first_matching_route_takes_an_alert_unless_it_says_continue()
    {
        AlertRoute[] routes =
        [
            new("r2", "{severity=~\"page|critical\"}", [Ops.Id], Position: 2),
            new("r1", "{job=\"postgres\"}", [Db.Id], Position: 1),
        ];
        Assert.Equal([Db], ReceiversFor(new Dictionary<string, string> { ["job"] = "postgres", ["severity"] = "page" }, routes));
        Assert.Equal([Ops], ReceiversFor(new Dictionary<string, string> { ["job"] = "node", ["severity"] = "page" }, routes));
        Assert.Empty(ReceiversFor(new Dictionary<string, string> { ["job"] = "node" }, routes));

        routes[1] = routes[1] with { Continue = true };
        Assert.Equal([Db, Ops], ReceiversFor(new Dictionary<string, string> { ["job"] = "postgres", ["severity"] = "page" }, routes));
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
