using System.Reflection;
using Ingestion.Functions.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Ingestion.Functions.Tests.Wrappers;

/// <summary>
/// The app's HTTP functions on the run API test server (<see cref="RunApiServer"/>), bound the way the Functions host
/// binds them: every method with an <see cref="HttpTriggerAttribute"/> is reachable at <c>/api/&lt;its route&gt;</c> for
/// its methods; its <see cref="HttpRequest"/>, <see cref="DurableTaskClient"/> (the fake) and route-value parameters are
/// filled in, and the <see cref="IActionResult"/> it returns is executed. The function classes come from the app's services.
/// </summary>
internal static class HttpFunctionHost
{
    /// <summary>Every HTTP-triggered method of the Functions app.</summary>
    public static IEnumerable<(MethodInfo Method, HttpTriggerAttribute Trigger)> HttpFunctions() =>
        typeof(RunApiFunctions).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static))
            .Select(m => (Method: m, Trigger: m.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(a => a is not null)))
            .Where(f => f.Trigger is not null)
            .Select(f => (f.Method, f.Trigger!));

    public static Task<RunApiServer> StartAsync() => RunApiServer.StartAsync(configure: builder =>
    {
        // What the worker's ASP.NET Core integration registers to execute an IActionResult.
        builder.Services.AddMvcCore();
        foreach (var type in HttpFunctions().Select(f => f.Method.DeclaringType!).Distinct()) builder.Services.AddSingleton(type);
    }, map: (app, durable) =>
    {
        foreach (var (method, trigger) in HttpFunctions())
            app.MapMethods("/api/" + trigger.Route, trigger.Methods!.Select(m => m.ToUpperInvariant()), context => InvokeAsync(method, context, durable));
    });

    private static async Task InvokeAsync(MethodInfo method, HttpContext context, DurableTaskClient durable)
    {
        var arguments = method.GetParameters().Select(p =>
            p.ParameterType == typeof(HttpRequest) ? context.Request
            : p.ParameterType == typeof(DurableTaskClient) ? durable
            : p.ParameterType == typeof(CancellationToken) ? context.RequestAborted
            : (object?)context.GetRouteValue(p.Name!)?.ToString()).ToArray();
        var target = method.IsStatic ? null : context.RequestServices.GetRequiredService(method.DeclaringType!);
        var result = method.Invoke(target, arguments) switch
        {
            Task<IActionResult> task => await task,
            IActionResult action => action,
            var other => throw new InvalidOperationException($"{method.Name} returned {other?.GetType().Name}, not an IActionResult."),
        };
        await result.ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), new ActionDescriptor()));
    }
}
