using System.ClientModel;
using System.Net;
using System.Text.Json;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace RoutedPrompts.Tests;

public sealed class FailureClassificationTests
{
    public static TheoryData<Exception, ProviderFailureKind, int?, bool> Cases => new()
    {
        { new HttpRequestException("x", null, HttpStatusCode.TooManyRequests), ProviderFailureKind.RateLimited, 429, true },
        { new HttpRequestException("x", null, HttpStatusCode.BadGateway), ProviderFailureKind.ServerError, 502, true },
        { new HttpRequestException("x", null, HttpStatusCode.RequestTimeout), ProviderFailureKind.ServerError, 408, true },
        { new HttpRequestException("x", null, HttpStatusCode.Unauthorized), ProviderFailureKind.ClientError, 401, false },
        { new HttpRequestException("connection refused"), ProviderFailureKind.Network, null, true },
        { new ClientResultException("dropped", null, new HttpRequestException("reset", new IOException())), ProviderFailureKind.Network, null, true },
        { new IOException("ended early"), ProviderFailureKind.Network, null, true },
        { new JsonException("'<' is an invalid start of a value"), ProviderFailureKind.MalformedResponse, null, true },
        { new NullReferenceException(), ProviderFailureKind.MalformedResponse, null, true }, // an SDK reading a completion without 'message'
        { new ArgumentOutOfRangeException("index"), ProviderFailureKind.MalformedResponse, null, true }, // ... with empty 'choices'
        { Thrown(() => JsonDocument.Parse("\"x\"").RootElement.GetInt32()), ProviderFailureKind.MalformedResponse, null, true }, // a mistyped field
        { new MalformedResponseException("malformed response: -1 input tokens"), ProviderFailureKind.MalformedResponse, null, true },
        { new TimeoutRejectedException(), ProviderFailureKind.Timeout, null, true },
        { new TimeoutException(), ProviderFailureKind.Timeout, null, true },
        { new InvalidOperationException("bug"), ProviderFailureKind.Other, null, false },
        { new BrokenCircuitException(), ProviderFailureKind.Other, null, false },
    };

    private static Exception Thrown(Action action)
    {
        try
        {
            action();
        }
        catch (Exception ex)
        {
            return ex;
        }

        throw new InvalidOperationException("Expected the action to throw.");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Classifies_provider_failures_and_retries_only_transient_ones(Exception error, ProviderFailureKind kind, int? status, bool transient)
    {
        Assert.Equal((kind, status), DeploymentChannel.Classify(error));
        Assert.Equal(transient, DeploymentChannel.IsTransient(error, CancellationToken.None));
    }

    [Fact]
    public void The_callers_cancellation_is_never_retried_but_a_client_timeout_is()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.True(DeploymentChannel.IsTransient(new TaskCanceledException(), CancellationToken.None));
        Assert.False(DeploymentChannel.IsTransient(new TaskCanceledException(), cancelled.Token));
    }

    [Fact]
    public void Descriptions_name_the_type_and_status_never_the_message()
    {
        Assert.Equal("HttpRequestException (HTTP 503 ServiceUnavailable)", DeploymentChannel.Describe(new HttpRequestException("key sk-123", null, HttpStatusCode.ServiceUnavailable)));
        Assert.Equal("circuit open", DeploymentChannel.Describe(new BrokenCircuitException("sk-123")));
        Assert.Equal("JsonException", DeploymentChannel.Describe(new JsonException("sk-123")));
        Assert.Equal("InvalidOperationException", DeploymentChannel.Describe(Thrown(() => JsonDocument.Parse("[]").RootElement.GetProperty("sk-123"))));
        Assert.Equal("malformed response: -1 input tokens", DeploymentChannel.Describe(new MalformedResponseException("malformed response: -1 input tokens")));
    }
}
