using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace AiDevOps.Testing;

/// <summary>The parts of an HTTP/1.1 answer a test checks.</summary>
public sealed record RawHttpResponse(int Status, string? ContentType, string Body)
{
    public JsonElement Json() => JsonDocument.Parse(Body).RootElement;
}

/// <summary>
/// HTTP/1.1 written by hand on a TCP socket, for requests no HttpClient sends: a chunked body whose chunk-size line
/// is not hexadecimal, or a Content-Type no header parser lets through.
/// </summary>
public static class RawHttp
{
    /// <summary>A chunked request whose first chunk is valid and whose second chunk-size line is not a number.</summary>
    public static Task<RawHttpResponse> SendBadChunkAsync(Uri baseUrl, string method, string path, string contentType, IReadOnlyDictionary<string, string> headers)
    {
        var body = "5\r\n{\"a\":\r\nzz-not-hex\r\n1}\r\n0\r\n\r\n"u8.ToArray();
        return SendAsync(baseUrl, method, path, headers.Append(new("Content-Type", contentType)).Append(new("Transfer-Encoding", "chunked")), body);
    }

    /// <summary>Sends the request as given (no header is added but Host and Connection: close) and reads the whole answer.</summary>
    public static async Task<RawHttpResponse> SendAsync(Uri baseUrl, string method, string path, IEnumerable<KeyValuePair<string, string>> headers, byte[] body)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(baseUrl.Host, baseUrl.Port).WaitAsync(TimeSpan.FromSeconds(10));
        var stream = client.GetStream();
        var head = new StringBuilder($"{method} {path} HTTP/1.1\r\nHost: {baseUrl.Authority}\r\nConnection: close\r\n");
        foreach (var (name, value) in headers)
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        head.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()));
        await stream.WriteAsync(body);
        await stream.FlushAsync();

        using var answer = new MemoryStream();
        try
        {
            await stream.CopyToAsync(answer).WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (IOException) when (answer.Length > 0)
        {
            // The server may reset the connection after answering a request it will not read further.
        }
        return Parse(answer.ToArray());
    }

    private static RawHttpResponse Parse(byte[] bytes)
    {
        var headEnd = bytes.AsSpan().IndexOf("\r\n\r\n"u8);
        if (headEnd < 0)
            throw new InvalidDataException($"Not an HTTP response: '{Encoding.UTF8.GetString(bytes)}'");
        var lines = Encoding.ASCII.GetString(bytes, 0, headEnd).Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        string? Header(string name) => lines.Skip(1).Select(l => l.Split(':', 2)).Where(p => p.Length == 2 && p[0].Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
            .Select(p => p[1].Trim()).FirstOrDefault();
        var body = bytes[(headEnd + 4)..];
        if (Header("Transfer-Encoding")?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true)
            body = Dechunk(body);
        return new RawHttpResponse(status, Header("Content-Type"), Encoding.UTF8.GetString(body));
    }

    private static byte[] Dechunk(byte[] body)
    {
        using var result = new MemoryStream();
        var at = 0;
        while (at < body.Length)
        {
            var lineEnd = at + body.AsSpan(at).IndexOf("\r\n"u8);
            var size = Convert.ToInt32(Encoding.ASCII.GetString(body, at, lineEnd - at).Split(';')[0], 16);
            if (size == 0)
                break;
            result.Write(body, lineEnd + 2, size);
            at = lineEnd + 2 + size + 2;
        }
        return result.ToArray();
    }
}
