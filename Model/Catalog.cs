using System.Collections.Immutable;

namespace Klp.Check.Model;

/// <summary>A catalog that cannot be modelled: duplicate names, too many patches, sets or functions.</summary>
public sealed class CatalogException(string message, int patch = -1) : Exception(message)
{
    /// <summary>The index of the offending patch, or -1 when the catalog as a whole is at fault.</summary>
    public int Patch { get; } = patch;
}

/// <summary>The patches a run may load, and the <c>add_sets</c> values its loads may pass; constant during a run.</summary>
/// <remarks>
/// The constructor interns functions, state ids and set numbers into bit positions so that
/// <see cref="Kernel.Step"/> works on masks. Functions, state ids and set numbers are each
/// limited to 64 distinct values, and a catalog to <see cref="MaxPatches"/> patches.
/// </remarks>
public sealed class Catalog
{
    /// <summary>The most patches a catalog holds.</summary>
    public const int MaxPatches = 32;

    /// <summary>The patches, by index.</summary>
    public ImmutableArray<Patch> Patches { get; }

    /// <summary>The <c>add_sets</c> values loads may pass; index 0 is "no parameter".</summary>
    public ImmutableArray<ImmutableArray<uint>> AddSetsVariants { get; }

    /// <summary>The distinct functions under normalized identity, by bit position, each as first written.</summary>
    public ImmutableArray<FunctionId> Functions { get; }

    /// <summary>The distinct state ids, by bit position.</summary>
    public ImmutableArray<uint> StateIds { get; }

    /// <summary>The set numbers a run can see, by bit position.</summary>
    public ImmutableArray<uint> SetNumbers { get; }

    internal readonly ulong[] FuncsNormalized, FuncsExact, SymposAliases, StateMask, BlockMask, SetsMask, ParamMask;
    // Per exact function bit, the bit of the same function written with the other of sympos 0 and 1, or 0.
    internal readonly ulong[] ExactTwin;
    internal readonly uint[] Versions;
    internal readonly byte[] OwnSet;
    internal readonly bool[] ZeroMisused, ZeroOnly, ParamHasZero;
    internal readonly int[] ListCount, AutoOf;
    internal readonly byte[] AutoCandidates;
    internal readonly byte[][] StateOrder;
    internal readonly bool[] ReplaceFlag, OwnIsZero, IsAuto;
    // Per patch, whether two of its functions get one sysfs name (klp_init_func()).
    internal readonly bool[] DuplicateFunction;

    /// <summary>Builds and validates a catalog.</summary>
    /// <exception cref="CatalogException">The catalog cannot be modelled.</exception>
    public Catalog(IEnumerable<Patch> patches, IEnumerable<ImmutableArray<uint>>? addSetsVariants = null)
    {
        Patches = [.. patches];
        AddSetsVariants = [ImmutableArray<uint>.Empty, .. addSetsVariants ?? []];
        var n = Patches.Length;
        if (n > MaxPatches) throw new CatalogException($"a catalog holds at most {MaxPatches} patches, this one has {n}");
        if (AddSetsVariants.Length > 16) throw new CatalogException("a catalog uses at most 15 distinct add_sets values");
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < n; i++)
        {
            var p = Patches[i];
            if (!names.TryAdd(p.Name, i)) throw new CatalogException($"patch '{p.Name}' is declared twice", i);
            if (p.SetSource == SetSource.Fixed && p.Sets.IsDefaultOrEmpty) throw new CatalogException($"patch '{p.Name}' has an empty sets list", i);
        }
        indexByName = names;

        // The distinct functions as written (exact bits) and under normalized identity (normalized
        // bits), and the distinct state ids, each in order of first appearance. A catalog has few
        // of each (at most 64), so they are found by searching in order rather than by hashing.
        var exact = new List<FunctionId>();
        var normalizedOf = new List<int>();     // per exact bit, its normalized bit
        var normalized = new List<FunctionId>();
        var display = new List<FunctionId>();   // per normalized bit, the function as first written
        var states = new List<uint>();
        foreach (var p in Patches)
        {
            foreach (var f in p.Funcs)
            {
                if (exact.Contains(f)) continue;
                var norm = f.Normalized;
                var bit = normalized.IndexOf(norm);
                if (bit < 0)
                {
                    bit = normalized.Count;
                    normalized.Add(norm);
                    display.Add(f);
                }
                exact.Add(f);
                normalizedOf.Add(bit);
            }
            foreach (var s in p.States)
                if (!states.Contains(s.Id)) states.Add(s.Id);
        }
        if (exact.Count > 64) throw new CatalogException($"a catalog patches at most 64 distinct functions, this one {exact.Count}");
        if (states.Count > 64) throw new CatalogException($"a catalog declares at most 64 distinct state ids, this one {states.Count}");
        Functions = [.. display];
        StateIds = [.. states];

        var numbers = new List<uint>();
        foreach (var p in Patches)
            if (p.SetSource == SetSource.Fixed) numbers.AddRange(p.Sets);
        foreach (var v in AddSetsVariants) numbers.AddRange(v);
        AutoOf = new int[n];
        var anyAuto = false;
        for (var i = 0; i < n; i++)
        {
            var p = Patches[i];
            AutoOf[i] = -1;
            if (p.SetSource == SetSource.Fixed) continue;
            anyAuto = true;
            if (p.SetSource == SetSource.AutoOf)
            {
                if (p.AutoOf is null || !names.TryGetValue(p.AutoOf, out var h))
                    throw new CatalogException($"patch '{p.Name}' takes the set of unknown patch '{p.AutoOf}'", i);
                AutoOf[i] = h;
            }
        }
        var maxParam = 0;
        foreach (var v in AddSetsVariants) maxParam = Math.Max(maxParam, v.Length);
        var autoBound = 0;
        if (anyAuto)
        {
            // The allocator returns the smallest free number >= 1; it can never exceed the
            // number of sets all entries together occupy, plus one.
            autoBound = 1;
            foreach (var p in Patches) autoBound += (p.SetSource == SetSource.Fixed ? p.Sets.Length : 1) + maxParam;
            for (var k = 1u; k <= autoBound; k++) numbers.Add(k);
        }
        // The distinct numbers, in increasing order: a number's bit is its place among them.
        numbers.Sort();
        var distinct = 0;
        for (var k = 0; k < numbers.Count; k++)
            if (k == 0 || numbers[k] != numbers[distinct - 1]) numbers[distinct++] = numbers[k];
        numbers.RemoveRange(distinct, numbers.Count - distinct);
        if (numbers.Count > 64) throw new CatalogException($"a catalog uses at most 64 distinct set numbers, this one needs {numbers.Count}");
        SetNumbers = [.. numbers];
        int SetBit(uint number) => numbers.BinarySearch(number);
        AutoCandidates = new byte[autoBound];
        for (var k = 0; k < autoBound; k++) AutoCandidates[k] = (byte)SetBit((uint)k + 1);

        // Per exact bit, the bit of the same function written with the other of sympos 0 and 1.
        ExactTwin = new ulong[exact.Count];
        for (var bit = 0; bit < exact.Count; bit++)
            if (exact[bit].Sympos <= 1 && exact.IndexOf(exact[bit] with { Sympos = 1 - exact[bit].Sympos }) is var twin and >= 0) ExactTwin[bit] = 1UL << twin;
        FuncsNormalized = new ulong[n];
        FuncsExact = new ulong[n];
        SymposAliases = new ulong[n];
        StateMask = new ulong[n];
        BlockMask = new ulong[n];
        Versions = new uint[n * Math.Max(1, StateIds.Length)];
        SetsMask = new ulong[n];
        OwnSet = new byte[n];
        ListCount = new int[n];
        ZeroMisused = new bool[n];
        ZeroOnly = new bool[n];
        StateOrder = new byte[n][];
        ReplaceFlag = new bool[n];
        OwnIsZero = new bool[n];
        IsAuto = new bool[n];
        DuplicateFunction = new bool[n];
        for (var i = 0; i < n; i++)
        {
            var p = Patches[i];
            ReplaceFlag[i] = p.Replace;
            IsAuto[i] = p.SetSource != SetSource.Fixed;
            OwnIsZero[i] = p.SetSource == SetSource.Fixed && p.Sets[0] == 0;
            StateOrder[i] = new byte[p.States.Length];
            for (var k = 0; k < p.States.Length; k++) StateOrder[i][k] = (byte)states.IndexOf(p.States[k].Id);
            foreach (var f in p.Funcs)
            {
                var bit = exact.IndexOf(f);
                FuncsNormalized[i] |= 1UL << normalizedOf[bit];
                FuncsExact[i] |= 1UL << bit;
                // The same function written with the other of sympos 0 and 1, if some patch does.
                SymposAliases[i] |= ExactTwin[bit];
            }
            // A patch that writes both spellings patches both: no nop for either.
            SymposAliases[i] &= ~FuncsExact[i];
            // A bit per distinct function under normalized identity: fewer bits than functions is a duplicate.
            DuplicateFunction[i] = System.Numerics.BitOperations.PopCount(FuncsNormalized[i]) < p.Funcs.Length;
            foreach (var s in p.States)
            {
                var b = states.IndexOf(s.Id);
                if ((StateMask[i] & (1UL << b)) != 0) throw new CatalogException($"patch '{p.Name}' declares state {s.Id} twice", i);
                StateMask[i] |= 1UL << b;
                if (s.BlockDisable) BlockMask[i] |= 1UL << b;
                Versions[i * StateIds.Length + b] = s.Version;
            }
            if (p.SetSource != SetSource.Fixed)
            {
                ListCount[i] = 1;
                continue;
            }
            ListCount[i] = p.Sets.Length;
            OwnSet[i] = (byte)SetBit(p.Sets[0]);
            foreach (var set in p.Sets) SetsMask[i] |= 1UL << SetBit(set);
            var hasZero = p.Sets.Contains(0u);
            ZeroOnly[i] = hasZero && p.Sets.All(s => s == 0);
            ZeroMisused[i] = hasZero && !ZeroOnly[i];
        }
        ParamMask = new ulong[AddSetsVariants.Length];
        ParamHasZero = new bool[AddSetsVariants.Length];
        for (var v = 0; v < AddSetsVariants.Length; v++)
        {
            foreach (var s in AddSetsVariants[v]) ParamMask[v] |= 1UL << SetBit(s);
            ParamHasZero[v] = AddSetsVariants[v].Contains(0u);
        }
    }

    private readonly Dictionary<string, int> indexByName;

    /// <summary>The number of patches.</summary>
    public int Count => Patches.Length;

    /// <summary>The patch at an index.</summary>
    public Patch this[int index] => Patches[index];

    /// <summary>The index of the patch with this name, or -1.</summary>
    public int IndexOf(string name) => indexByName.TryGetValue(name, out var i) ? i : -1;

    /// <summary>The index of a function (normalized identity) in <see cref="Functions"/>, or -1.</summary>
    public int IndexOfFunction(FunctionId f)
    {
        for (var i = 0; i < Functions.Length; i++)
            if (Functions[i].Normalized == f.Normalized) return i;
        return -1;
    }

    /// <summary>The set numbers of a mask over <see cref="SetNumbers"/>.</summary>
    public IEnumerable<uint> SetsOf(ulong mask)
    {
        for (var i = 0; i < SetNumbers.Length; i++)
            if ((mask & (1UL << i)) != 0) yield return SetNumbers[i];
    }

    /// <summary>The names of the patches in a mask over patch indices.</summary>
    public IEnumerable<string> NamesOf(ulong mask)
    {
        for (var i = 0; i < Count; i++)
            if ((mask & (1UL << i)) != 0) yield return Patches[i].Name;
    }

    /// <summary>The version a patch declares for a state bit.</summary>
    public uint Version(int patch, int stateBit) => Versions[patch * StateIds.Length + stateBit];

    /// <summary>The functions a patch patches, as a mask over <see cref="Functions"/>.</summary>
    public ulong FunctionBits(int patch) => FuncsNormalized[patch];

    /// <summary>The functions a patch patches as <paramref name="identity"/> tells them apart: two patches share a function when their masks intersect.</summary>
    /// <remarks>Normalized, a mask over <see cref="Functions"/> (<see cref="FunctionBits(int)"/>); exact, a mask over the distinct spellings of the catalog's functions.</remarks>
    public ulong FunctionBits(int patch, FunctionIdentity identity) => identity == FunctionIdentity.Exact ? FuncsExact[patch] : FuncsNormalized[patch];

    /// <summary>True when a patch names one function twice, so the kernel refuses every load of it (<see cref="Reason.DuplicateFunction"/>).</summary>
    /// <remarks>
    /// klp_init_func() (kernel/livepatch/core.c) names each function's sysfs directory
    /// <c>name,sympos</c> with sympos 0 written as 1, so <c>f</c> and <c>f@1</c>, or one spelling
    /// written twice, make the same directory twice and kobject_add() fails with EEXIST. The
    /// name does not depend on klp_find_func(), so this holds under both function identities.
    /// </remarks>
    public bool HasDuplicateFunction(int patch) => DuplicateFunction[patch];

    /// <summary>The state ids a patch declares, as a mask over <see cref="StateIds"/>.</summary>
    public ulong StateBits(int patch) => StateMask[patch];

    /// <summary>The state ids a patch declares with <c>block_disable</c>, as a mask over <see cref="StateIds"/>.</summary>
    public ulong BlockDisableBits(int patch) => BlockMask[patch];
}
