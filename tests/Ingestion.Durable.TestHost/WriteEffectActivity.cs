using Microsoft.DurableTask;
using Microsoft.Extensions.Options;

namespace Ingestion.Durable.TestHost;

/// <summary>Where <see cref="WriteEffectActivity"/> leaves its effects, and how long each one takes.</summary>
public sealed class EffectOptions
{
    public string Directory { get; set; } = "";

    public int DelayMilliseconds { get; set; } = 200;
}

/// <summary>
/// An activity with an observable, idempotent effect: it appends one line per attempt to attempts.log (so the
/// test sees at-least-once delivery) and writes its result file with a deterministic name and content (so a
/// repeated attempt leaves the same effect). Returns i².
/// </summary>
public sealed class WriteEffectActivity(IOptions<EffectOptions> options) : TaskActivity<int, long>
{
    public const string Name = nameof(WriteEffectActivity);

    public override async Task<long> RunAsync(TaskActivityContext context, int item)
    {
        var folder = Path.Combine(options.Value.Directory, context.InstanceId);
        Directory.CreateDirectory(folder);
        await File.AppendAllTextAsync(Path.Combine(options.Value.Directory, "attempts.log"), $"{context.InstanceId} {item} {Environment.ProcessId}\n");
        await Task.Delay(options.Value.DelayMilliseconds);
        var result = (long)item * item;
        var final = Path.Combine(folder, $"{item}.txt");
        var temporary = $"{final}.{Environment.ProcessId}.tmp";
        await File.WriteAllTextAsync(temporary, result.ToString(System.Globalization.CultureInfo.InvariantCulture));
        File.Move(temporary, final, overwrite: true);
        return result;
    }
}
