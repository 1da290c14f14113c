using System.Reflection;
using System.Security.Cryptography;
using Ingestion.Functions.Http;
using Ingestion.Orchestration;
using Ingestion.RunApi;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Ingestion.Functions.Tests.Wrappers;

/// <summary>
/// The app's HTTP functions on an ASP.NET Core test server, bound the way the Functions host binds them: every method
/// with an <see cref="HttpTriggerAttribute"/> is reachable at <c>/api/&lt;its route&gt;</c> for its methods; its
/// <see cref="HttpRequest"/>, <see cref="DurableTaskClient"/> (a fake) and route-value parameters are filled in, and
/// the <see cref="IActionResult"/> it returns is executed. The function classes come from the app's services.
/// </summary>
internal sealed class HttpFunctionHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _folder;

    private HttpFunctionHost(WebApplication app, string folder, FakeDurableTaskClient durable, LoopbackEhr ehr)
    {
        _app = app;
        _folder = folder;
        Durable = durable;
        Ehr = ehr;
        Client = app.GetTestClient();
    }

    public HttpClient Client { get; }
    public FakeDurableTaskClient Durable { get; }
    public LoopbackEhr Ehr { get; }
    public IServiceProvider Services => _app.Services;

    /// <summary>Every HTTP-triggered method of the Functions app.</summary>
    public static IEnumerable<(MethodInfo Method, HttpTriggerAttribute Trigger)> HttpFunctions() =>
        typeof(RunApiFunctions).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static))
            .Select(m => (Method: m, Trigger: m.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(a => a is not null)))
            .Where(f => f.Trigger is not null)
            .Select(f => (f.Method, f.Trigger!));

    public static async Task<HttpFunctionHost> StartAsync()
    {
        var folder = Directory.CreateTempSubdirectory("http-functions-").FullName;
        var ehr = new LoopbackEhr();
        var durable = new FakeDurableTaskClient();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sources:ehr1:FhirBaseUrl"] = ehr.BaseUrl.ToString(),
            ["Storage:LakePath"] = Path.Combine(folder, "lake"),
            ["Deid:Key"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        });
        builder.Services.AddExportPipeline(builder.Configuration);
        builder.Services.AddRunApi(builder.Configuration);
        // What the worker's ASP.NET Core integration registers to execute an IActionResult.
        builder.Services.AddMvcCore();
        var functions = HttpFunctions().ToList();
        foreach (var type in functions.Select(f => f.Method.DeclaringType!).Distinct().Where(t => !t.IsAbstract)) builder.Services.AddSingleton(type);
        var app = builder.Build();
        foreach (var (method, trigger) in functions)
        {
            app.MapMethods("/api/" + trigger.Route, trigger.Methods!.Select(m => m.ToUpperInvariant()), context => InvokeAsync(method, context, durable));
        }
        await app.StartAsync();
        return new HttpFunctionHost(app, folder, durable, ehr);
    }

    private static async Task InvokeAsync(MethodInfo method, HttpContext context, DurableTaskClient durable)
    {
        var arguments = method.GetParameters().Select(p =>
            p.ParameterType == typeof(HttpRequest) ? context.Request
            : p.ParameterType == typeof(DurableTaskClient) ? durable
            : p.ParameterType == typeof(CancellationToken) ? context.RequestAborted
            : (object?)context.GetRouteValue(p.Name!)?.ToString()).ToArray();
        var target = method.IsStatic ? null : context.RequestServices.GetRequiredService(method.DeclaringType!);
        var returned = method.Invoke(target, arguments);
        var result = returned switch
        {
            Task<IActionResult> task => await task,
            IActionResult action => action,
            _ => throw new InvalidOperationException($"{method.Name} returned {returned?.GetType().Name}, not an IActionResult."),
        };
        await result.ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), new ActionDescriptor()));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await Ehr.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }
}
