using System.Runtime.CompilerServices;

namespace Ingestion.Storage.Embedded;

/// <summary>
/// The embedded lake: a local folder. Writes go to a temporary file under ".tmp" and are renamed into place,
/// so a reader (DuckDB, another worker) sees a whole file or nothing. Conditional writes take a per-path
/// lock file, so they hold across processes sharing the folder.
/// </summary>
public sealed class FileSystemLake : ILake
{
    private const string TempFolder = ".tmp";
    private const string LockFolder = ".locks";
    private readonly string _root;

    public FileSystemLake(FileSystemLakeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.RootPath);
        _root = Path.GetFullPath(options.RootPath);
        Directory.CreateDirectory(Path.Combine(_root, TempFolder));
        Directory.CreateDirectory(Path.Combine(_root, LockFolder));
    }

    public string Location => _root;

    public Task<ILakeUpload> StartUploadAsync(string path, LakeWriteCondition condition = default, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var target = Resolve(path);
        var temp = NewTempPath();
        var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
        return Task.FromResult<ILakeUpload>(new Upload(this, path, target, temp, stream, condition));
    }

    public async Task<LakeItem> WriteAsync(string path, ReadOnlyMemory<byte> content, LakeWriteCondition condition = default, CancellationToken cancellationToken = default)
    {
        await using var upload = await StartUploadAsync(path, condition, cancellationToken).ConfigureAwait(false);
        await upload.Content.WriteAsync(content, cancellationToken).ConfigureAwait(false);
        return await upload.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var target = Resolve(path);
        try
        {
            return Task.FromResult<Stream>(new FileStream(target, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new LakeItemNotFoundException(path, e);
        }
    }

    public Task<LakeItem?> GetAsync(string path, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var info = new FileInfo(Resolve(path));
        return Task.FromResult(info.Exists ? ToItem(path, info) : null);
    }

    public async IAsyncEnumerable<LakeItem> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        // Start at the deepest folder the prefix names, so listing one run does not walk the whole lake.
        var slash = prefix.LastIndexOf('/');
        var start = slash < 0 ? _root : Resolve(prefix[..slash]);
        if (!Directory.Exists(start)) yield break;
        var items = new List<LakeItem>();
        foreach (var file in Directory.EnumerateFiles(start, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(_root, file).Replace(Path.DirectorySeparatorChar, '/');
            if (relative.StartsWith(TempFolder + "/", StringComparison.Ordinal) || relative.StartsWith(LockFolder + "/", StringComparison.Ordinal)) continue;
            if (!relative.StartsWith(prefix, StringComparison.Ordinal)) continue;
            var info = new FileInfo(file);
            if (info.Exists) items.Add(ToItem(relative, info));
        }
        items.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        foreach (var item in items)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return item;
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }

    public Task<bool> DeleteAsync(string path, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var target = Resolve(path);
        if (!File.Exists(target)) return Task.FromResult(false);
        File.Delete(target);
        return Task.FromResult(true);
    }

    /// <summary>Maps a lake path to a file path, refusing anything that could escape the root.</summary>
    private string Resolve(string path)
    {
        LakePath.Validate(path);
        // A backslash is a separator on some file systems: refuse it so no path can address another folder.
        if (path.Contains('\\')) throw new ArgumentException($"Invalid lake path '{path}': backslashes are not allowed.", nameof(path));
        if (path.StartsWith(TempFolder + "/", StringComparison.Ordinal) || path.StartsWith(LockFolder + "/", StringComparison.Ordinal) || path is TempFolder or LockFolder)
        {
            throw new ArgumentException($"Invalid lake path '{path}': '{TempFolder}' and '{LockFolder}' are reserved.", nameof(path));
        }
        return Path.Combine(_root, path.Replace('/', Path.DirectorySeparatorChar));
    }

    private string NewTempPath() => Path.Combine(_root, TempFolder, Guid.NewGuid().ToString("N"));

    internal static string ETagOf(FileInfo info) => $"{info.LastWriteTimeUtc.Ticks:x}-{info.Length:x}";

    private static LakeItem ToItem(string path, FileInfo info) =>
        new(path, info.Length, ETagOf(info), new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero));

    private FileStream LockPath(string path)
    {
        var name = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(path)))[..32];
        var lockFile = Path.Combine(_root, LockFolder, name);
        // An exclusive handle is the lock; another process retries until it is released.
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            }
            catch (IOException) when (attempt < 2000)
            {
                Thread.Sleep(5);
            }
        }
    }

    private void Publish(string path, string target, string temp, LakeWriteCondition condition)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        if (!condition.IfNotExists && condition.IfMatchETag is null)
        {
            File.Move(temp, target, overwrite: true);
            return;
        }
        using var _ = LockPath(path);
        var existing = new FileInfo(target);
        if (condition.IfNotExists && existing.Exists) throw new LakeConditionFailedException(path);
        if (condition.IfMatchETag is not null && (!existing.Exists || ETagOf(existing) != condition.IfMatchETag)) throw new LakeConditionFailedException(path);
        File.Move(temp, target, overwrite: true);
    }

    private sealed class Upload(FileSystemLake lake, string path, string target, string temp, FileStream stream, LakeWriteCondition condition) : ILakeUpload
    {
        private bool _committed;
        private bool _disposed;

        public string Path => path;

        public Stream Content => stream;

        public async Task<LakeItem> CommitAsync(CancellationToken cancellationToken = default)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_committed) throw new InvalidOperationException($"Upload of '{path}' was already committed.");
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            await stream.DisposeAsync().ConfigureAwait(false);
            try
            {
                lake.Publish(path, target, temp, condition);
            }
            catch
            {
                TryDelete(temp);
                throw;
            }
            _committed = true;
            return ToItem(path, new FileInfo(target));
        }

        public async ValueTask DisposeAsync()
        {
            if (_disposed) return;
            _disposed = true;
            await stream.DisposeAsync().ConfigureAwait(false);
            if (!_committed) TryDelete(temp);
        }

        private static void TryDelete(string file)
        {
            try { File.Delete(file); } catch (IOException) { /* a leftover temp file is harmless and swept on the next start */ }
        }
    }
}

/// <summary>Options of the local lake (configuration sections "Lake" and "Quarantine").</summary>
public sealed record FileSystemLakeOptions
{
    public string RootPath { get; init; } = "lake";
}
