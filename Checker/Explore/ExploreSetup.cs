using Klp.Check.Model;

namespace Klp.Check.Explore;

/// <summary>What an explorer serves, fixed at start-up: the catalogs it offers, the readings given on the command line, the mode.</summary>
/// <param name="Catalogs">Every catalog the page may choose, the default first.</param>
/// <param name="Given">The readings given with <c>--reading</c> (proposal files included), or the default columns; the page may also name any built-in reading.</param>
/// <param name="Mode">The <c>--mode</c> given, or null for each catalog's own (its file's, else atomic).</param>
public sealed record ExploreSetup(IReadOnlyList<ExploreCatalog> Catalogs, IReadOnlyList<Reading> Given, Granularity? Mode)
{
    /// <summary>The columns a page shows when it names no reading and none was given: the three readings of the <c>replace_sets[]</c> array.</summary>
    public static IReadOnlyList<Reading> DefaultReadings { get; } = [Readings.Positional, Readings.Flat, Readings.Set];

    /// <summary>The shipped catalog offered first when no file is given.</summary>
    public const string FirstShipped = "thread/joe-timeline-tuesday-set2";

    /// <summary>The most readings shown side by side.</summary>
    public const int MaxColumns = 12;

    /// <summary>The catalog a page that names none shows.</summary>
    public ExploreCatalog Default => Catalogs[0];

    /// <summary>The catalog with this id, or null.</summary>
    public ExploreCatalog? Find(string id) => Catalogs.FirstOrDefault(c => c.Id == id);

    /// <summary>The reading a page names: one given on the command line (by display name or name), else a built-in reading with options; never a file.</summary>
    public Reading? Reading(string text, out string? error)
    {
        error = null;
        foreach (var r in Given)
            if (r.DisplayName == text || r.Name == text) return r;
        var reading = Readings.Parse(text, out error);
        if (reading is null) error += Given.Any(r => Readings.Find(r.Name) is null) ? $"; or one given with --reading: {string.Join(", ", Given.Select(r => r.DisplayName))}" : "";
        return reading;
    }

    /// <summary>The reading names the page offers to choose from: the given ones, then every other built-in reading.</summary>
    public IReadOnlyList<string> Offered =>
        [.. Given.Select(r => r.DisplayName), .. Readings.All.Select(r => r.Name).Where(n => !Given.Any(g => g.DisplayName == n))];
}
