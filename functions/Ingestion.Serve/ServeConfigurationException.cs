namespace Ingestion.Serve;

/// <summary>serve's settings would expose the run API unsafely; the message says which setting to fix.</summary>
public sealed class ServeConfigurationException(string message) : Exception(message);
