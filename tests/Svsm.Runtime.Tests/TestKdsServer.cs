using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Svsm.Runtime.Tests;

/// <summary>
/// A stand-in for AMD's KDS on 127.0.0.1: real certificate bytes at the paths KDS serves them, a number of HTTP 429
/// answers injected before each, and a count of the requests each path got. Nothing reaches the internet.
/// </summary>
internal sealed class TestKdsServer : IDisposable
{
    private readonly HttpListener listener = new();
    private readonly ConcurrentDictionary<string, byte[]> answers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> throttled = new(StringComparer.Ordinal);
    private readonly Task serving;

    public TestKdsServer()
    {
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        listener.Start();
        serving = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public Uri BaseUri => new($"http://127.0.0.1:{Port}");

    public ConcurrentDictionary<string, int> Requests { get; } = new(StringComparer.Ordinal);

    /// <summary>Serves <paramref name="body"/> at <paramref name="pathAndQuery"/>, after answering 429 <paramref name="tooManyFirst"/> times.</summary>
    public void Serve(string pathAndQuery, byte[] body, int tooManyFirst = 0)
    {
        answers[pathAndQuery] = body;
        throttled[pathAndQuery] = tooManyFirst;
    }

    public void Dispose()
    {
        listener.Stop();
        listener.Close();
        try
        {
            serving.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The listener was closed under a pending request.
        }
    }

    private async Task ServeAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            var key = context.Request.Url!.PathAndQuery;
            Requests.AddOrUpdate(key, 1, (_, n) => n + 1);
            var response = context.Response;
            if (throttled.TryGetValue(key, out var remaining) && remaining > 0)
            {
                throttled[key] = remaining - 1;
                response.StatusCode = 429;
                response.AddHeader("Retry-After", "0");
            }
            else if (answers.TryGetValue(key, out var body))
            {
                response.StatusCode = 200;
                await response.OutputStream.WriteAsync(body);
            }
            else
            {
                response.StatusCode = 404;
            }

            response.Close();
        }
    }
}
