// SupportTriage: three routed tasks (a JSON classification, an extraction constrained by a schema file, a free-text
// reply with a validator). With no API key it answers from recordings/support-demo.jsonl, a recording written for this
// demo (by hand, and by data/make_triage_data.py for the synthetic triage tickets; not produced by a model); with
// OPENAI_API_KEY set it calls a real OpenAI-compatible endpoint (OpenAI, Ollama, vLLM).
using System.ClientModel;
using System.ClientModel.Primitives;
using System.Globalization;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenAI;
using RoutedPrompts;
using RoutedPrompts.Replay;
using SupportTriage;

var configuration = new ConfigurationBuilder()
    .SetBasePath(AppContext.BaseDirectory)
    .AddRoutedPromptsFile("routedprompts.json")
    .AddEnvironmentVariables()
    .Build();

var services = new ServiceCollection();
services.AddRoutedPrompts(configuration);
services.AddSingleton<SupportPrompts>();

var apiKey = Environment.GetEnvironmentVariable("OPENAI_API_KEY");
if (string.IsNullOrEmpty(apiKey))
{
    var recording = Path.Combine(AppContext.BaseDirectory, "recordings", "support-demo.jsonl");
    Console.WriteLine("Offline demo: answers come from recordings/support-demo.jsonl, written by hand and by a script for this demo");
    Console.WriteLine("(synthetic, not produced by a model). Set OPENAI_API_KEY (and OPENAI_BASE_URL for Ollama or vLLM) to call a real endpoint.");
    // The replay client reports the recorded confidence itself, as the log-probability middleware does live.
    services.AddKeyedChatClient("openai", _ => new ReplayChatClient(ReplayRecording.Load(recording)));

    // Each tier's fallback chain (routedprompts.json): the same models behind a second provider key. Offline, it
    // answers from the same recording.
    services.AddKeyedChatClient("openai-backup", _ => new ReplayChatClient(ReplayRecording.Load(recording)));
}
else
{
    var endpoint = Environment.GetEnvironmentVariable("OPENAI_BASE_URL");
    var client = new OpenAIClient(
        new ApiKeyCredential(apiKey),
        new OpenAIClientOptions
        {
            Endpoint = string.IsNullOrEmpty(endpoint) ? null : new Uri(endpoint),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0), // the router retries (RoutedPrompts:Resilience); never two retry loops
        });
    Console.WriteLine($"Live: calling {(string.IsNullOrEmpty(endpoint) ? "the OpenAI API" : endpoint)}.");

    // One client serves every model: the router sends each deployment's Model as ChatOptions.ModelId, which
    // Microsoft.Extensions.AI.OpenAI puts on each request (the model named here is only a default). The deployments
    // need log-probabilities ("LogProbabilities": true, for the triage task's confidence threshold):
    // UseOpenAILogProbabilities() asks for them and hands them to the router's confidence gate (RoutedPrompts.OpenAI).
    services.AddKeyedChatClient("openai", client.GetChatClient("gpt-4o-mini").AsIChatClient()).UseOpenAILogProbabilities();

    // Each tier's fallback chain (routedprompts.json): point OPENAI_BACKUP_BASE_URL at a second endpoint serving the
    // same models (e.g. another region or a vLLM mirror); without it the backup uses the same endpoint.
    var backupEndpoint = Environment.GetEnvironmentVariable("OPENAI_BACKUP_BASE_URL");
    var backup = string.IsNullOrEmpty(backupEndpoint)
        ? client
        : new OpenAIClient(new ApiKeyCredential(apiKey), new OpenAIClientOptions { Endpoint = new Uri(backupEndpoint), RetryPolicy = new ClientRetryPolicy(maxRetries: 0) });
    services.AddKeyedChatClient("openai-backup", backup.GetChatClient("gpt-4o-mini").AsIChatClient()).UseOpenAILogProbabilities();
}

await using var provider = services.BuildServiceProvider();
var prompts = provider.GetRequiredService<SupportPrompts>();
// The baseline: every request on the Large tier's first deployment, read from the same validated options the router uses.
var large = provider.GetRequiredService<IOptions<RoutedPromptsOptions>>().Value.Tiers[nameof(Tier.Large)].Deployments[0];
var report = new CostReport(large.InputUsdPerMillionTokens, large.OutputUsdPerMillionTokens);

string[] tickets =
[
    "I was charged twice for my subscription this month. Please fix it.",
    "The app crashes every time I upload a photo larger than 10 MB.",
    "How do I change the email address on my account?",
    "My package never arrived and tracking has not moved for 9 days.",
    "hi. it doesnt work.",
];
foreach (var ticket in tickets)
{
    await report.RunAsync($"triage  \"{Shorten(ticket)}\"", () => prompts.TriageAsync(ticket), t => $"{t.Category}/{t.Priority}: {t.Summary}");
}

// Hard tickets (a pasted stack trace, chargeback and legal language): the classifier trained on the eval set
// (routedprompts.lock.json) sees the difficulty in the text and starts them past the small tier.
string[] hardTickets =
[
    "Every time I try to export a report in the desktop app it fails. The log says:\n"
        + "java.lang.NullPointerException: Cannot invoke \"String.length()\" because \"token\" is null\n"
        + "    at com.acme.export.Writer.flush(Writer.java:212)\n"
        + "    at java.base/java.lang.Thread.run(Thread.java:1583)",
    "I have disputed the 89.00 EUR charge with my bank (chargeback) because you billed me after I cancelled. "
        + "If this is not reversed within 7 days my lawyer will contact you.",
];
foreach (var ticket in hardTickets)
{
    await report.RunAsync($"triage  \"{Shorten(ticket)}\"", () => prompts.TriageAsync(ticket), t => $"{t.Category}/{t.Priority}: {t.Summary}");
}

// Tickets from the enterprise support portal: the rule "enterprise-to-medium" (routedprompts.json) starts them at the
// medium tier, whatever the classifier would say: a business decision, not a difficulty estimate.
var enterprise = new RouteContext { Feature = "enterprise" };
string[] enterpriseTickets =
[
    "Our SSO login fails for all 40 seats since this morning.",
    "Please send the invoice for PO 7781 with our VAT number on it.",
];
foreach (var ticket in enterpriseTickets)
{
    await report.RunAsync($"triage  \"{Shorten(ticket)}\" (enterprise)", () => prompts.TriageAsync(ticket, enterprise), t => $"{t.Category}/{t.Priority}: {t.Summary}");
}

string[] emails =
[
    "Hi, the headphones from order ORD-120045 broke after a week. I'd like my 49.99 USD back.",
    "Order ORD-553201 arrived damaged. Please refund the 120 EUR I paid.",
    "I want my money back. You know what you did.",
];
foreach (var email in emails)
{
    await report.RunAsync($"refund  \"{Shorten(email)}\"", () => prompts.ExtractRefundAsync(email), r => $"{r.OrderId} {r.Amount.ToString(CultureInfo.InvariantCulture)} {r.Currency}: {r.Reason}");
}

foreach (var ticket in tickets[..3])
{
    await report.RunAsync($"reply   \"{Shorten(ticket)}\"", () => prompts.DraftReplyAsync(ticket, maxWords: 60).AsTask(), r => Shorten(r, 70));
}

report.PrintSummary();
return 0;

static string Shorten(string text, int max = 40) => text.Length <= max ? text : text[..(max - 1)] + "…";
