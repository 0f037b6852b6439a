using AiDevOps.Brain.Alerting;

namespace AiDevOps.Brain.Tests;

public class InhibitionTests
{
    private static Anomaly On(string instance, string kind, string metric = "up", string tenant = "acme") => new(
        $"{kind}-{instance}-{tenant}", Series.Of(tenant, new Dictionary<string, string> { ["__name__"] = metric, ["instance"] = instance }),
        kind, "d", 1, DateTimeOffset.UnixEpoch);

    [Fact]
    public void A_down_target_holds_back_the_other_anomalies_of_its_instance_until_it_is_back()
    {
        var inhibition = new Inhibition();
        var down = On("db-1:9100", AnomalyKinds.TargetDown);

        Assert.False(inhibition.Inhibits(new AnomalyOpened(down)));
        Assert.True(inhibition.Inhibits(new AnomalyOpened(On("db-1:9100", AnomalyKinds.PrometheusAlert, "ALERTS"))));
        Assert.False(inhibition.Inhibits(new AnomalyOpened(On("db-2:9100", AnomalyKinds.PrometheusAlert, "ALERTS"))));
        Assert.False(inhibition.Inhibits(new AnomalyOpened(On("db-1:9100", AnomalyKinds.Unusual, "ALERTS", tenant: "globex"))));

        Assert.False(inhibition.Inhibits(down.Resolve(DateTimeOffset.UnixEpoch.AddMinutes(1))));
        Assert.False(inhibition.Inhibits(new AnomalyOpened(On("db-1:9100", AnomalyKinds.Unusual, "node_load1"))));
    }

    [Fact]
    public void Targets_down_before_a_restart_or_failover_still_inhibit_until_the_tenant_is_released()
    {
        var inhibition = new Inhibition();
        var down = On("db-1:9100", AnomalyKinds.TargetDown);
        inhibition.Restore(down.Series.Tenant, [down]);
        var exhaustion = new AnomalyOpened(On("db-1:9100", AnomalyKinds.PredictedExhaustion, "node_filesystem_avail_bytes"));

        Assert.True(inhibition.Inhibits(exhaustion));
        inhibition.Release("another-tenant");
        Assert.True(inhibition.Inhibits(exhaustion));
        inhibition.Release(down.Series.Tenant);
        Assert.False(inhibition.Inhibits(exhaustion));
    }
}
