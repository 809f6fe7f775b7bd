using System.Globalization;
using RoutedPrompts.Testing;

// Routed calls through the OpenAI SDK against the loopback test server injecting 20% 429s, 10% 5xx, 5% hangs and 5%
// malformed bodies over two providers per tier. Prints calls/s, p50/p99 latency and the outcome counts; exits 1 when
// an invariant broke (a lost or hung call, a retry budget exceeded, a downgrade, fault counts that do not match).
var settings = new ChaosSettings { Calls = 20_000 };
for (var i = 0; i < args.Length; i++)
{
    var value = i + 1 < args.Length ? args[i + 1] : null;
    switch (args[i])
    {
        case "--calls" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var calls) && calls > 0:
            settings = settings with { Calls = calls };
            i++;
            break;
        case "--concurrency" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var concurrency) && concurrency > 0:
            settings = settings with { Concurrency = concurrency };
            i++;
            break;
        case "--seed" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seed):
            settings = settings with { Seed = seed };
            i++;
            break;
        default:
            Console.Error.WriteLine("usage: RoutedPrompts.Chaos [--calls N] [--concurrency N] [--seed N]");
            return 2;
    }
}

using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(30));
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

var report = await ChaosScenario.RunAsync(settings, cancel.Token);
Console.WriteLine(report);
return report.Violations.Count == 0 ? 0 : 1;
