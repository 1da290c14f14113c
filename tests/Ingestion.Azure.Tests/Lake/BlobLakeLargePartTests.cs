using System.Diagnostics;
using Ingestion.Azure.Lake;
using Ingestion.Testing.StandIns;
using Xunit.Abstractions;

namespace Ingestion.Azure.Tests.Lake;

/// <summary>Runs alone (no other test allocating in this process), against an Azurite that keeps blobs on disk.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LargePartCollection
{
    public const string Name = "Large part";
}

[Collection(LargePartCollection.Name)]
public sealed class BlobLakeLargePartTests(ITestOutputHelper output)
{
    private const long PartBytes = 1024L * 1024 * 1024;

    [Fact]
    public async Task A_1_GB_part_streams_with_bounded_memory_and_is_complete_on_commit()
    {
        var location = Directory.CreateTempSubdirectory("azurite-large-part-").FullName;
        try
        {
            await using var azurite = await AzuriteProcess.StartAsync(location);
            var options = new BlobLakeOptions { Container = "lake", BlockSizeBytes = 8 * 1024 * 1024, MaxConcurrency = 4 };
            var lake = new BlobLake(new global::Azure.Storage.Blobs.BlobServiceClient(azurite.ConnectionString), options);
            await lake.EnsureContainerAsync();
            var chunk = new byte[1024 * 1024];
            Random.Shared.NextBytes(chunk);

            GC.Collect();
            GC.WaitForPendingFinalizers();
            var baseline = Process.GetCurrentProcess();
            baseline.Refresh();
            var workingSetBefore = baseline.WorkingSet64;
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            long peakWorkingSet = workingSetBefore;
            await using (var upload = await lake.StartUploadAsync("omop/measurement/run=r1/part-0000.parquet"))
            {
                for (long written = 0; written < PartBytes; written += chunk.Length)
                {
                    await upload.Content.WriteAsync(chunk);
                    if (written % (32 * chunk.Length) == 0) peakWorkingSet = Math.Max(peakWorkingSet, Environment.WorkingSet);
                }
                Assert.Null(await lake.GetAsync("omop/measurement/run=r1/part-0000.parquet"));
                var item = await upload.CommitAsync();
                Assert.Equal(PartBytes, item.Length);
            }
            peakWorkingSet = Math.Max(peakWorkingSet, Environment.WorkingSet);
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
            var growth = peakWorkingSet - workingSetBefore;
            output.WriteLine($"1 GB part: working set +{growth / 1048576} MB (peak), {allocated / 1048576} MB allocated");

            // The buffers the lake promises: (MaxConcurrency + 1) blocks and the pipe, plus the SDK's per-request
            // overhead. 1 GB held anywhere would blow both limits by far.
            var bound = (options.MaxConcurrency + 1L) * options.BlockSizeBytes + BlobLakeUpload.PipeBytes;
            Assert.True(growth < bound + 160L * 1024 * 1024, $"working set grew by {growth / 1048576} MB while streaming 1 GB (bound {bound / 1048576} MB + 160 MB runtime slack)");
            // Allocation is churn, not residency (the working set above is the bound). Measured here: ~0.8 GB per GB, the
            // SDK's block buffers missing the shared pool; a part gathered in a MemoryStream would allocate ~2 GB.
            Assert.True(allocated < PartBytes * 3 / 2, $"{allocated / 1048576} MB allocated while streaming 1 GB: a part must not be gathered in memory");
            Assert.Equal(PartBytes, (await lake.GetAsync("omop/measurement/run=r1/part-0000.parquet"))?.Length);
        }
        finally
        {
            try { Directory.Delete(location, recursive: true); } catch (IOException) { }
        }
    }
}
