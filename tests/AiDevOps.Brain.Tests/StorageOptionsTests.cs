using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace AiDevOps.Brain.Tests;

public sealed class StorageOptionsTests
{
    [Theory]
    [InlineData("cassandra", "Storage:Backend 'cassandra' must be 'dynamodb' or 'azuretables'")]
    [InlineData("azuretables", "needs ConnectionStrings:tables")]
    public void A_bad_storage_configuration_stops_the_Brain_naming_the_option_and_the_value(string backend, string message)
    {
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("Storage:Backend", backend);
        });
        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains(message, error.ToString());
    }
}
