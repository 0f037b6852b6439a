using System.Net;
using System.Text;
using System.Text.Json;
using AiDevOps.Testing;

namespace AiDevOps.Insights.Tests;

public sealed class FakeOpenAiServerTests
{
    [Fact]
    public async Task Accepts_a_chunked_request_and_records_it()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.Reply = "hello";
        using var client = new HttpClient();
        const string body = """{"model":"m","messages":[{"role":"user","content":"hi"}]}""";
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server.BaseUrl + "/chat/completions"))
        {
            Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(body))),
        };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.TransferEncodingChunked = true;

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("chat.completion", answer.RootElement.GetProperty("object").GetString());
        Assert.Equal("hello", answer.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        var recorded = Assert.Single(server.Requests);
        Assert.Equal(body, recorded.Body);
        Assert.Equal(["hi"], recorded.MessageContents);
    }

    [Fact]
    public async Task Answers_500_with_an_error_body_when_told_to_fail()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.FailureStatus = 500;
        using var client = new HttpClient();
        using var content = new StringContent("""{"model":"m","messages":[]}""", Encoding.UTF8, "application/json");

        using var response = await client.PostAsync(new Uri(server.BaseUrl + "/chat/completions"), content);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("server_error", error.RootElement.GetProperty("error").GetProperty("type").GetString());
        Assert.Single(server.Requests);
    }
}
