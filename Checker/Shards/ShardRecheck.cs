using Klp.Check.Conformance;
using Klp.Check.Equivalence;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Properties;
using Klp.Check.Verdicts;

namespace Klp.Check.Shards;

/// <summary><c>merge --recheck N</c>: runs N inputs of every shard again (a seeded sample, at every step of a sweep) and holds each shard to what they give.</summary>
/// <remarks>
/// A shard cannot be caught omitting a violation, or shrinking a count, from its file alone. Trace
/// again, a sampled input must show in the shard's sums (they are at least the sample's), in its
/// best traces (at least as good as the sample's), and exactly in its per-input lists (cut inputs,
/// collisions). When N covers the whole shard, every field must equal what the inputs give.
/// </remarks>
public static class ShardRecheck
{
    /// <summary>Runs the sample again and compares; null when every shard agrees, else one line <c>FILE: merge: --recheck: where: what</c>.</summary>
    /// <param name="shards">Every shard, in shard order, already audited (<see cref="ShardAudit.Check"/>).</param>
    /// <param name="run">The run.</param>
    /// <param name="shares">Per step, the inputs of each shard.</param>
    /// <param name="sample">How many inputs of each shard to run again at each step.</param>
    /// <param name="seed">The sample's seed: the same seed picks the same inputs.</param>
    /// <param name="threads">Worker threads (0: all cores).</param>
    /// <param name="rechecked">How many inputs were run again, over every shard and step.</param>
    public static string? Run(IReadOnlyList<(string File, PartialResult Partial)> shards, AuditedRun run, List<int>[][] shares, int sample, int seed, int threads, out int rechecked)
    {
        rechecked = 0;
        var rng = new Random(seed);
        foreach (var (file, p) in shards)
            for (var t = 0; t < run.Steps.Count; t++)
            {
                var share = shares[t][p.Shard.K - 1];
                var pick = share.ToArray();
                rng.Shuffle(pick);
                var chosen = pick[..Math.Min(sample, pick.Length)].Order().ToList();
                var full = chosen.Count == share.Count;
                rechecked += chosen.Count;
                var source = run.Steps[t].Source;
                var sweep = run.Kind == "sweep";
                var readings = sweep ? p.Steps[t].Readings : p.Readings;
                var again = Verifier.CheckAll(source, run.Readings, run.Properties, run.Limits, chosen, threads, default, null);
                for (var r = 0; r < readings.Count; r++)
                    if (new Comparison(sweep ? $"steps[{t}].readings[{r}]" : $"readings[{r}]", full, chosen).Reading(readings[r], again[r]) is { } error)
                        return $"{file}: merge: --recheck: {error}";
                if (p.Equivalence is not { } e) continue;
                var equivalence = EquivalencePartial.Check(source, run.Readings, run.Limits, chosen, alone: full && p.Shard.N == 1, threads);
                if (new Comparison("equivalence", full, chosen).Equivalence(e, equivalence) is { } eqError)
                    return $"{file}: merge: --recheck: {eqError}";
            }
        return null;
    }

    // A shard's partial against the partial of the inputs run again: equal when they are all of the
    // shard's, else the shard's covers the sample's.
    private sealed class Comparison(string where, bool full, List<int> chosen)
    {
        private readonly HashSet<int> sampled = [.. chosen];

        public string? Reading(ReadingPartial s, ReadingPartial a)
        {
            var error = Count("inputsChecked", s.InputsChecked, a.InputsChecked) ?? Count("catalogs", s.Catalogs, a.Catalogs)
                ?? Count("states", s.States, a.States) ?? Count("transitions", s.Transitions, a.Transitions) ?? Count("maxDepth", s.MaxDepth, a.MaxDepth)
                ?? Counts("accepted", s.Accepted, a.Accepted) ?? Counts("refused", s.Refused, a.Refused)
                ?? Bits("offered", s.Offered, a.Offered)
                ?? PerInput("cut", Cuts(s), Cuts(a)) ?? PerInput("collisions", s.Collisions, a.Collisions);
            for (var k = 0; error is null && k < s.Properties.Length; k++)
                if (s.Properties[k] is { } sp && a.Properties[k] is { } ap) error = Property($"properties[{k}]", sp, ap);
            return error;
        }

        private static List<(int Index, string Value)> Cuts(ReadingPartial p) =>
            [.. p.Cut.Select(c => (c.Index, $"{c.Cap}, {Words.Count(c.Frontier, "frontier state")}"))];

        private string? Property(string at, PropertyPartial s, PropertyPartial a) =>
            Count($"{at}.applicable", s.Applicable, a.Applicable) ?? Count($"{at}.undecided", s.Undecided, a.Undecided)
            ?? Count($"{at}.cases", s.Cases, a.Cases) ?? Count($"{at}.frontier", s.Frontier, a.Frontier)
            ?? Bits($"{at}.tracked", s.Tracked ? 1 : 0, a.Tracked ? 1 : 0)
            ?? Needed($"{at}.needed", s.Needed, a.Needed) ?? Needed($"{at}.undecidedFeatures", s.UndecidedFeatures, a.UndecidedFeatures)
            ?? FirstUndecided(at, s, a) ?? Best(at, s.Best, a.Best);

        // An intersection over inputs (violating, or undecided): the shard's has no feature the sample's lacks.
        private string? Needed(string field, InputFeatures s, InputFeatures a) =>
            (full ? s == a : (s & ~a) == 0) ? null : Differs(field, (int)s, (int)a);

        private string? FirstUndecided(string at, PropertyPartial s, PropertyPartial a)
        {
            var same = s.FirstUndecided == a.FirstUndecided && s.FirstCap == a.FirstCap;
            if (full || s.FirstUndecided >= 0 && sampled.Contains(s.FirstUndecided))
                return same ? null : Differs($"{at}.firstUndecided", s.FirstUndecided, a.FirstUndecided);
            return a.FirstUndecided < 0 || s.FirstUndecided >= 0 && s.FirstUndecided <= a.FirstUndecided ? null
                : Differs($"{at}.firstUndecided", s.FirstUndecided, a.FirstUndecided);
        }

        private string? Best(string at, Candidate? s, Candidate? a)
        {
            static string Text(Candidate? c) => c is null ? "none" : $"input {c.Index + 1}, {c.Trace.Count} operations";
            var same = s is null ? a is null : a is not null && s.Index == a.Index && s.Features == a.Features && s.Trace.SequenceEqual(a.Trace) && s.Message == a.Message;
            if (full || s is not null && sampled.Contains(s.Index))
                return same ? null : $"{where}.{at}.best: the shard says {Text(s)}, and its inputs run again give {Text(a)}";
            return a is null || s is not null && !a.Before(s) ? null
                : $"{where}.{at}.best: input {a.Index + 1} of the shard violates or reaches it, and the shard says {Text(s)}";
        }

        public string? Equivalence(EquivalencePartial s, EquivalencePartial a)
        {
            var error = Counts("joined", s.Joined, a.Joined) ?? Count("phaseStates", s.PhaseStates, a.PhaseStates)
                ?? Count("phaseTransitions", s.PhaseTransitions, a.PhaseTransitions) ?? PerInput("cut", s.Cut, a.Cut);
            for (var slot = 0; error is null && slot < s.Apart.Length; slot++)
            {
                if (s.Apart[slot] != a.Apart[slot] && (full || a.Apart[slot]))
                    error = $"{where}.apart: readings {slot / s.Readings + 1} and {slot % s.Readings + 1}: the shard says {(s.Apart[slot] ? "apart" : "never apart")}, and its inputs run again say {(a.Apart[slot] ? "apart" : "never apart")}";
                else if (s.Pairs[slot] is { } sp && a.Pairs[slot] is { } ap) error = Pair($"pairs[{slot}]", sp, ap);
                else if (full && (s.Pairs[slot] is null) != (a.Pairs[slot] is null)) error = $"{where}.pairs[{slot}]: the shard and its inputs run again disagree on whether the lockstep ran";
            }
            return error;
        }

        private string? Pair(string at, PairPartial s, PairPartial a)
        {
            var error = Count($"{at}.count", s.Count, a.Count) ?? Count($"{at}.states", s.States, a.States) ?? Count($"{at}.transitions", s.Transitions, a.Transitions);
            if (error is not null) return error;
            var same = s.Index == a.Index && s.Features == a.Features && s.Length == a.Length;
            if (full || s.Index >= 0 && sampled.Contains(s.Index))
                return same ? null : $"{where}.{at}: the shard's best distinguishing input is {s.Index + 1}, and its inputs run again give {a.Index + 1}";
            var covered = a.Index < 0 || s.Index >= 0 && (s.Features, s.Length, s.Index).CompareTo((a.Features, a.Length, a.Index)) <= 0;
            return covered ? null : $"{where}.{at}: input {a.Index + 1} of the shard tells the readings apart more simply than the shard's best, {s.Index + 1}";
        }

        // A sum: equal, or at least the sample's.
        private string? Count(string field, long s, long a) => (full ? s == a : s >= a) ? null : Differs(field, s, a);

        private string? Counts(string field, long[] s, long[] a)
        {
            for (var i = 0; i < s.Length; i++)
                if (Count($"{field}[{i}]", s[i], a[i]) is { } error) return error;
            return null;
        }

        // A union of bits: equal, or holding the sample's.
        private string? Bits(string field, int s, int a) => (full ? s == a : (a & ~s) == 0) ? null : Differs(field, s, a);

        // A list by input: the same entry for every input run again.
        private string? PerInput<T>(string field, List<(int Index, T Value)> s, List<(int Index, T Value)> a)
        {
            var shard = s.Where(x => sampled.Contains(x.Index)).ToDictionary(x => x.Index, x => x.Value);
            var again = a.ToDictionary(x => x.Index, x => x.Value);
            foreach (var i in chosen)
            {
                var (hasS, hasA) = (shard.TryGetValue(i, out var vs), again.TryGetValue(i, out var va));
                if (hasS != hasA || hasS && !EqualityComparer<T>.Default.Equals(vs, va))
                    return $"{where}.{field}: input {i + 1}: the shard says {(hasS ? $"'{vs}'" : "nothing")}, and run again it gives {(hasA ? $"'{va}'" : "nothing")}";
            }
            return null;
        }

        private string Differs(string field, long s, long a) =>
            $"{where}.{field}: the shard says {s}, and {(full ? "its inputs run again give" : "the inputs of its sample run again give")} {a}";
    }
}
