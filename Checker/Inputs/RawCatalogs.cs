using Klp.Check.Model;

namespace Klp.Check.Inputs;

/// <summary>The raw catalogs within bounds, in the order of <see cref="RawBounds.Enumerate"/>: each kept as the places of its patches in the bounds' menu of patches, and built only when asked for.</summary>
/// <remarks>
/// <para>
/// A built <see cref="Catalog"/> of three patches takes about 3 KB. Kept as places, a catalog
/// reduced by symmetry takes 4 bytes per patch, and an unreduced one nothing: its places follow
/// from its index, the first patch's place counting fastest.
/// </para>
/// <para>
/// Whether a catalog is the one its symmetry class keeps is decided on its places, without
/// building it, by the test <see cref="Symmetry.IsCanonical"/> makes: its non-zero set numbers
/// first appear in increasing order from 1, and no relabelling of the functions makes it
/// smaller. Only the functions differ between a catalog and its relabelling, so the first patch
/// whose functions a relabelling changes decides which of the two is smaller.
/// </para>
/// <para>
/// The readings all see the same catalog of an input. The last catalog built is kept per thread,
/// so that the readings of one input asked for one after another get the same object.
/// Safe for use by several threads at once.
/// </para>
/// </remarks>
public sealed class RawCatalogs
{
    private readonly RawBounds.RawPatch[] menu;
    private readonly int width;
    // Reduced: the places of each catalog kept, catalog after catalog; null when unreduced.
    private readonly int[]? places;

    [ThreadStatic] private static RawCatalogs? lastOwner;
    [ThreadStatic] private static int lastIndex;
    [ThreadStatic] private static Catalog? lastBuilt;

    /// <summary>Enumerates the raw catalogs within bounds, keeping their places.</summary>
    /// <param name="bounds">The bounds.</param>
    /// <param name="reduce">Keep one catalog per symmetry class (<see cref="Symmetry"/>).</param>
    /// <exception cref="TooManyCatalogsException">The bounds hold more catalogs than an index can count or an array keep: at once when <see cref="RawBounds.TooMany(bool)"/> says so, otherwise as the enumeration finds it.</exception>
    public RawCatalogs(RawBounds bounds, bool reduce)
    {
        ArgumentNullException.ThrowIfNull(bounds);
        menu = bounds.Menu();
        if (bounds.TooMany(reduce, menu.Length) is { } reason) throw new TooManyCatalogsException(reason);
        width = bounds.Patches;
        if (!reduce)
        {
            // Every combination, at most int.MaxValue of them (TooMany).
            var all = 1L;
            for (var i = 0; i < width; i++) all *= menu.Length;
            Count = (int)all;
            return;
        }
        var kept = new List<int>();
        var test = new CanonicalTest(menu, bounds.Functions);
        var choice = new int[width];
        while (true)
        {
            if (test.Holds(choice))
            {
                // The places of every catalog are kept in one array.
                if (kept.Count > Array.MaxLength - width)
                    throw new TooManyCatalogsException($"the bounds {bounds} hold more than the {Array.MaxLength / width} raw catalogs of {width} patches that can be kept; lower patches, numbers, sets or functions");
                kept.AddRange(choice);
            }
            var j = 0;
            while (j < width && ++choice[j] == menu.Length) choice[j++] = 0;
            if (j == width) break;
        }
        places = [.. kept];
        Count = places.Length / width;
    }

    /// <summary>How many catalogs.</summary>
    public int Count { get; }

    /// <summary>The patches of every catalog.</summary>
    public int Width => width;

    /// <summary>The patches of one catalog, before names are given.</summary>
    public RawBounds.RawPatch[] Patches(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        var patches = new RawBounds.RawPatch[width];
        if (places is not null)
        {
            for (var i = 0; i < width; i++) patches[i] = menu[places[index * width + i]];
            return patches;
        }
        var rest = index;
        for (var i = 0; i < width; i++)
        {
            patches[i] = menu[rest % menu.Length];
            rest /= menu.Length;
        }
        return patches;
    }

    /// <summary>One catalog, built (<see cref="RawBounds.Build"/>); the same object as the last time this thread asked for the same index, if it asked for no other since.</summary>
    public Catalog this[int index]
    {
        get
        {
            if (ReferenceEquals(lastOwner, this) && lastIndex == index && lastBuilt is { } kept) return kept;
            var built = RawBounds.Build(Patches(index));
            (lastOwner, lastIndex, lastBuilt) = (this, index, built);
            return built;
        }
    }

    // Symmetry.IsCanonical on menu places, without building a patch or allocating.
    private sealed class CanonicalTest
    {
        private readonly RawBounds.RawPatch[] menu;
        private readonly int[][] relabelled;   // per relabelling of the functions but the identity, the functions mask it gives each mask
        public CanonicalTest(RawBounds.RawPatch[] menu, int functions)
        {
            this.menu = menu;
            relabelled = [.. Symmetry.Relabellings(functions).Skip(1).Select(perm =>
            {
                var table = new int[1 << functions];
                for (var mask = 0; mask < table.Length; mask++) table[mask] = Symmetry.Permute(mask, perm);
                return table;
            })];
        }

        public bool Holds(int[] choice)
        {
            // The non-zero set numbers, first seen in increasing order from 1.
            // (Set numbers are below RawBounds.Keys' largest "numbers", far below 64.)
            var seen = 0UL;
            var next = 1u;
            foreach (var place in choice)
                foreach (var s in menu[place].Sets)
                {
                    if (s == 0 || (seen >> (int)s & 1) != 0) continue;
                    if (s != next++) return false;
                    seen |= 1UL << (int)s;
                }
            // No relabelling of the functions smaller: at the first patch it changes, it grows.
            foreach (var table in relabelled)
                foreach (var place in choice)
                {
                    var f = menu[place].Funcs;
                    var g = table[f];
                    if (g == f) continue;
                    if (g < f) return false;
                    break;
                }
            return true;
        }
    }
}

/// <summary>Raw bounds that hold more catalogs than can be counted or kept; the message says which bounds and what to lower.</summary>
public sealed class TooManyCatalogsException(string message) : Exception(message);
