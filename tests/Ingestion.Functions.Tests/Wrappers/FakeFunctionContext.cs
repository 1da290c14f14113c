using Microsoft.Azure.Functions.Worker;

namespace Ingestion.Functions.Tests.Wrappers;

/// <summary>The invocation context a function sees (abstract in the worker): only the services are real.</summary>
internal sealed class FakeFunctionContext(IServiceProvider services, string functionId) : FunctionContext
{
    public override string InvocationId { get; } = Guid.NewGuid().ToString("N");
    public override string FunctionId { get; } = functionId;
    public override TraceContext TraceContext => throw new NotSupportedException();
    public override BindingContext BindingContext => throw new NotSupportedException();
    public override RetryContext RetryContext => throw new NotSupportedException();
    public override IServiceProvider InstanceServices { get; set; } = services;
    public override FunctionDefinition FunctionDefinition => throw new NotSupportedException();
    public override IDictionary<object, object> Items { get; set; } = new Dictionary<object, object>();
    public override IInvocationFeatures Features => throw new NotSupportedException();
}
