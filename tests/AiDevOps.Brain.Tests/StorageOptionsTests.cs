using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace AiDevOps.Brain.Tests;

public sealed class StorageOptionsTests
{
    [Fact]
    public void An_unknown_storage_backend_stops_the_Brain_naming_the_option_and_the_value()
    {
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("Storage:Backend", "cassandra");
        });
        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains("Storage:Backend 'cassandra' must be 'dynamodb' or 'azuretables'", error.ToString());
    }

    [Fact]
    public void Azure_tables_without_a_connection_string_stops_the_Brain_saying_which_one()
    {
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("Storage:Backend", "azuretables");
        });
        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains("ConnectionStrings:tables", error.ToString());
    }
}
