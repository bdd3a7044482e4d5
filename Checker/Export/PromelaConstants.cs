using System.Text;
using Klp.Check.Model;

namespace Klp.Check.Export;

public static partial class Promela
{
    // The catalog as bit masks, numbered by first appearance in the patches as written.
    private sealed class Constants
    {
        public readonly List<uint> Sets;
        public readonly List<FunctionId> Functions = [];
        public readonly List<uint> States = [];
        public readonly int[] OwnBit;
        public readonly ulong[] SetsMask, FuncsMask, StateMask, BlockMask, ParamMask;
        public readonly bool Variants, AnyStates;
        private readonly Catalog catalog;
        private readonly bool exact;

        public Constants(Catalog catalog, Reading reading)
        {
            this.catalog = catalog;
            var n = catalog.Count;
            Sets = [.. catalog.Patches.Where(p => p.SetSource == SetSource.Fixed).SelectMany(p => p.Sets)
                .Concat(catalog.AddSetsVariants.SelectMany(v => v)).Distinct().Order()];
            OwnBit = new int[n];
            SetsMask = new ulong[n];
            FuncsMask = new ulong[n];
            StateMask = new ulong[n];
            BlockMask = new ulong[n];
            exact = reading.Options.FunctionIdentity == FunctionIdentity.Exact;
            for (var p = 0; p < n; p++)
            {
                var patch = catalog[p];
                if (patch.SetSource == SetSource.Fixed)
                {
                    OwnBit[p] = Sets.IndexOf(patch.Sets[0]);
                    SetsMask[p] = Mask(patch.Sets);
                }
                foreach (var f in patch.Funcs)
                    FuncsMask[p] |= 1UL << Intern(Functions, exact ? f : f.Normalized);
                foreach (var s in patch.States)
                {
                    var b = 1UL << Intern(States, s.Id);
                    StateMask[p] |= b;
                    if (s.BlockDisable) BlockMask[p] |= b;
                }
            }
            ParamMask = [.. catalog.AddSetsVariants.Select(v => Mask(v))];
            Variants = catalog.AddSetsVariants.Length > 1;
            AnyStates = StateMask.Any(m => m != 0);
        }

        public ulong Listed(int p, int v) => SetsMask[p] | ParamMask[v];

        // Under exact identity, the functions some patch writes with the other of sympos 0 and 1
        // than p does, unless p writes both.
        public ulong Aliases(int p)
        {
            if (!exact) return 0;
            ulong mask = 0;
            foreach (var f in catalog[p].Funcs)
                if (f.Sympos <= 1 && Functions.IndexOf(f with { Sympos = 1 - f.Sympos }) is var i and >= 0) mask |= 1UL << i;
            return mask & ~FuncsMask[p];
        }

        public bool OwnIsZero(int p) => catalog[p].SetSource == SetSource.Fixed && catalog[p].Sets[0] == 0;

        // The states q declares with a higher version than p declares them.
        public ulong Newer(int q, int p)
        {
            ulong mask = 0;
            foreach (var sq in catalog[q].States)
                foreach (var sp in catalog[p].States)
                    if (sp.Id == sq.Id && sq.Version > sp.Version) mask |= 1UL << States.IndexOf(sq.Id);
            return mask;
        }

        private ulong Mask(IEnumerable<uint> sets)
        {
            ulong m = 0;
            foreach (var s in sets) m |= 1UL << Sets.IndexOf(s);
            return m;
        }

        private static int Intern<T>(List<T> list, T item)
        {
            var i = list.IndexOf(item);
            if (i >= 0) return i;
            list.Add(item);
            return list.Count - 1;
        }
    }
}
