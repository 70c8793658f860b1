using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ClickInsights.Core.Authentication;
using DnsClient;
using Microsoft.Extensions.Options;

namespace ClickInsights.Tests.Authentication;

/// <summary>
/// A real DNS server for the tests: Debian's dnsmasq on 127.0.0.1 and a free port, answering from zone lines the
/// test writes (<c>txt-record=</c>, <c>cname=</c>, <c>mx-host=</c>). Names under <c>.test</c> that are not
/// configured get NXDOMAIN; any other name gets REFUSED (there is no upstream), which the checks must treat as a
/// failing resolver.
/// </summary>
public sealed class Dnsmasq : IDisposable
{
    public const string Executable = "/usr/sbin/dnsmasq";

    private readonly Process _process;
    private readonly string _folder;

    private Dnsmasq(Process process, string folder, int port)
    {
        _process = process;
        _folder = folder;
        Port = port;
    }

    public int Port { get; }

    public static Dnsmasq Start(IEnumerable<string> zone)
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException(
                $"{Executable} is missing. The authentication tests need a real DNS server: install it with `apt-get install -y dnsmasq-base`.");
        }
        var folder = Path.Combine(Path.GetTempPath(), "clickinsights-dns", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var conf = Path.Combine(folder, "zone.conf");
        File.WriteAllLines(conf, ["local=/test/", "local-ttl=3600", .. zone]);

        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort();
            var start = new ProcessStartInfo(Executable)
            {
                ArgumentList =
                {
                    "--no-daemon", $"--port={port}", "--listen-address=127.0.0.1", "--bind-interfaces",
                    "--no-resolv", "--no-hosts", $"--conf-file={conf}", "--pid-file=",
                },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            var process = Process.Start(start) ?? throw new InvalidOperationException("dnsmasq did not start.");
            var errors = new System.Text.StringBuilder();
            process.ErrorDataReceived += (_, e) => { lock (errors) { errors.AppendLine(e.Data); } };
            process.OutputDataReceived += (_, e) => { lock (errors) { errors.AppendLine(e.Data); } };
            process.BeginErrorReadLine();
            process.BeginOutputReadLine();
            var server = new Dnsmasq(process, folder, port);
            if (server.WaitUntilAnswering())
            {
                return server;
            }
            process.Kill();
            process.WaitForExit(2000);
            string output;
            lock (errors)
            {
                output = errors.ToString();
            }
            // Another process may have taken the port between choosing and binding it: try a new one, a few times.
            if (attempt >= 3 || !output.Contains("Address already in use", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"dnsmasq did not answer on 127.0.0.1:{port}. Its output: {output}");
            }
        }
    }

    /// <summary>A lookup against this server, as production builds it from options.</summary>
    public DnsLookup Lookup(TimeSpan? timeout = null) => LookupAt(Port, timeout);

    public static DnsLookup LookupAt(int port, TimeSpan? timeout = null) =>
        new(Options.Create(new DnsOptions { Server = "127.0.0.1", Port = port, Timeout = timeout ?? TimeSpan.FromSeconds(2), Retries = 0 }));

    private bool WaitUntilAnswering()
    {
        var lookup = Lookup(TimeSpan.FromMilliseconds(200));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline && !_process.HasExited)
        {
            var answer = lookup.QueryAsync("ready.test", QueryType.TXT).GetAwaiter().GetResult();
            if (answer.Outcome != DnsOutcome.Failed)
            {
                return true;
            }
            Thread.Sleep(50);
        }
        return false;
    }

    private static int FreePort()
    {
        // A port free for both TCP and UDP, since dnsmasq binds both.
        while (true)
        {
            var tcp = new TcpListener(IPAddress.Loopback, 0);
            tcp.Start();
            var port = ((IPEndPoint)tcp.LocalEndpoint).Port;
            try
            {
                using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException)
            {
            }
            finally
            {
                tcp.Stop();
            }
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>A UDP port that receives DNS questions and never answers: a dead or firewalled server.</summary>
public sealed class SilentDnsServer : IDisposable
{
    private readonly UdpClient _socket = new(new IPEndPoint(IPAddress.Loopback, 0));

    public int Port => ((IPEndPoint)_socket.Client.LocalEndPoint!).Port;

    public void Dispose() => _socket.Dispose();
}

/// <summary>A DNS server that answers every question with SERVFAIL, like a resolver whose upstream is broken.</summary>
public sealed class ServFailDnsServer : IDisposable
{
    private readonly UdpClient _socket = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public ServFailDnsServer() => _loop = Task.Run(LoopAsync);

    public int Port => ((IPEndPoint)_socket.Client.LocalEndPoint!).Port;

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            UdpReceiveResult request;
            try
            {
                request = await _socket.ReceiveAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            var reply = request.Buffer.ToArray();
            if (reply.Length < 12)
            {
                continue;
            }
            reply[2] = (byte)(0x80 | (reply[2] & 0x79)); // QR=1, keep opcode and RD
            reply[3] = 0x82;                             // RA=1, RCODE=2 (SERVFAIL)
            reply[6] = reply[7] = reply[8] = reply[9] = reply[10] = reply[11] = 0;
            // Keep the question only (drop any EDNS record after it).
            var end = QuestionEnd(reply);
            await _socket.SendAsync(reply.AsMemory(0, end), request.RemoteEndPoint);
        }
    }

    private static int QuestionEnd(byte[] message)
    {
        var i = 12;
        while (i < message.Length && message[i] != 0)
        {
            i += message[i] + 1;
        }
        return Math.Min(message.Length, i + 5);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        try
        {
            _loop.Wait(2000);
        }
        catch (AggregateException)
        {
        }
        _stop.Dispose();
    }
}
