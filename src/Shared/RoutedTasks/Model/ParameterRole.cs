namespace RoutedPrompts.Shared
{
    /// <summary>What a parameter of a routed method is for.</summary>
    internal enum ParameterRole
    {
        /// <summary>Rendered into the template.</summary>
        Bindable,

        /// <summary>A CancellationToken passed to the router.</summary>
        CancellationToken,

        /// <summary>A PromptRouter the request goes through.</summary>
        Router,

        /// <summary>The request's RouteContext, passed to the router (never rendered into the prompt).</summary>
        Context,
    }
}
