using System.Collections;
using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Runtime.CompilerServices;
using Ingestion.Testing;

namespace Ingestion.Infra.Tests.Settings;

/// <summary>
/// Every setting the app binds, found by reflection the way ConfigurationBinder walks an options class: each class
/// in the app's assemblies that declares <c>public const string SectionName</c> is a section (classes bound from the
/// configuration root are named in infra/app-settings.exceptions.json, rootBoundOptions); its public settable
/// properties are settings (nested classes recurse, lists add an index segment, dictionaries a key segment).
/// A rename in an options class therefore shows up here without touching this test.
/// </summary>
public sealed class OptionsCatalog
{
    private const int MaxDepth = 8;

    public required IReadOnlyList<BoundSetting> Settings { get; init; }

    public IReadOnlyList<Type> OptionsTypes { get; init; } = [];

    public bool Binds(SettingPattern name) => Settings.Any(s => s.Pattern.Covers(name));

    /// <param name="rootBound">
    /// Full names of options classes the app binds from the configuration root (no section of their own, e.g. one
    /// that groups Lake, Quarantine, Cosmos); a listed class that declares a SectionName is walked under it instead.
    /// </param>
    public static OptionsCatalog Load(IReadOnlyCollection<string>? rootBound = null)
    {
        var all = AppAssemblies().SelectMany(LoadableTypes).ToList();
        var missing = (rootBound ?? []).Where(name => all.All(t => t.FullName != name)).ToList();
        if (missing.Count > 0)
            throw new InvalidOperationException("root-bound options classes not found (renamed?): " + string.Join(", ", missing));
        var types = all.Where(t => SectionNameOf(t) is not null || (rootBound ?? []).Contains(t.FullName!)).ToList();
        var settings = new List<BoundSetting>();
        foreach (var type in types)
        {
            var section = SectionNameOf(type) is { } name ? SettingPattern.Parse(name).Segments.ToList() : [];
            // A class whose only member is a keyed collection wraps the section's children (Sources__<id>__…).
            if (KeyedCollectionOnly(type) is { } dictionary)
                AddValue(dictionary, [.. section, SettingPattern.AnyKey], true, false, type, settings, 1);
            else
                Walk(type, section, type, settings, 0);
        }
        return new OptionsCatalog { Settings = settings, OptionsTypes = types };
    }

    /// <summary>The app's assemblies (functions/*), copied next to this test by its project references.</summary>
    private static IEnumerable<Assembly> AppAssemblies()
    {
        var projects = Directory.GetDirectories(Path.Combine(RepositoryPaths.RepositoryRoot, "functions"))
            .Select(Path.GetFileName)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var file in Directory.GetFiles(AppContext.BaseDirectory, "Ingestion.*.dll"))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            if (projects.Contains(name)) yield return Assembly.Load(new AssemblyName(name));
        }
    }

    private static IEnumerable<Type> LoadableTypes(Assembly assembly)
    {
        try { return assembly.GetTypes(); }
        catch (ReflectionTypeLoadException e) { return e.Types.OfType<Type>(); }
    }

    private static string? SectionNameOf(Type type) =>
        type.GetField("SectionName", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } field
        && field.FieldType == typeof(string)
            ? (string?)field.GetRawConstantValue()
            : null;

    private static Type? KeyedCollectionOnly(Type type)
    {
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0).ToList();
        return properties.Count == 1 ? DictionaryValueType(properties[0].PropertyType) : null;
    }

    private static void Walk(Type type, IReadOnlyList<string> prefix, Type owner, List<BoundSetting> into, int depth)
    {
        if (depth > MaxDepth) return;
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0) continue;
            var settable = property.SetMethod is { IsPublic: true };
            var path = prefix.Append(property.Name).ToList();
            var required = property.IsDefined(typeof(RequiredMemberAttribute)) || property.IsDefined(typeof(RequiredAttribute));
            AddValue(property.PropertyType, path, settable, required, owner, into, depth);
        }
    }

    private static void AddValue(Type type, List<string> path, bool settable, bool required, Type owner, List<BoundSetting> into, int depth)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (IsLeaf(type))
        {
            // The binder sets scalars only through a public setter (or init).
            if (settable) into.Add(new BoundSetting(new SettingPattern(path), owner, required));
            return;
        }
        if (DictionaryValueType(type) is { } valueType)
        {
            AddValue(valueType, [.. path, SettingPattern.AnyKey], true, required, owner, into, depth + 1);
            return;
        }
        if (ElementType(type) is { } elementType)
        {
            AddValue(elementType, [.. path, SettingPattern.AnyIndex], true, required, owner, into, depth + 1);
            return;
        }
        if (type.IsClass && type != typeof(object) && !typeof(Delegate).IsAssignableFrom(type))
            Walk(type, path, owner, into, depth + 1);
    }

    /// <summary>What ConfigurationBinder converts from a single string: primitives, enums and TypeConverter types.</summary>
    private static bool IsLeaf(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal)
        || (type.IsValueType && TypeDescriptor.GetConverter(type).CanConvertFrom(typeof(string)))
        || type == typeof(Uri);

    private static Type? DictionaryValueType(Type type)
    {
        var args = Generic(type, typeof(IDictionary<,>)) ?? Generic(type, typeof(IReadOnlyDictionary<,>));
        return args is not null && args[0] == typeof(string) ? args[1] : null;
    }

    private static Type? ElementType(Type type) =>
        type.IsArray ? type.GetElementType()
        : type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type) && Generic(type, typeof(IEnumerable<>)) is { } args ? args[0]
        : null;

    private static Type[]? Generic(Type type, Type openInterface)
    {
        if (type.IsGenericType && type.GetGenericTypeDefinition() == openInterface) return type.GetGenericArguments();
        return type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == openInterface)?.GetGenericArguments();
    }
}

/// <summary>One bindable setting, the options class it belongs to, and whether the class requires it.</summary>
public sealed record BoundSetting(SettingPattern Pattern, Type Options, bool Required);
