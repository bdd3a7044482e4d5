using System.Collections.Immutable;
using System.Globalization;
using Klp.Check.Model;

namespace Klp.Check.Explore;

/// <summary>A trace as the explorer's URL carries it: operations separated by commas, <c>load:klp-1a,load:klp-2a:3.4,complete,disable:klp-1a</c>.</summary>
/// <remarks>
/// An operation is its verb, then <c>:NAME</c> for the patch, then for a load <c>:S.S...</c> for
/// the <c>add_sets</c> value. Patch names hold only ASCII letters, digits and <c>_ - . +</c>
/// (<see cref="Patch.NameRule"/>), so neither separator occurs in one, and a
/// trace reads in the address bar without escapes (but <c>+</c>, written <c>%2B</c>).
/// </remarks>
public static class UrlTrace
{
    /// <summary>The most operations a trace may hold.</summary>
    public const int MaxOperations = 1000;

    /// <summary>The most numbers one <c>add_sets</c> value may hold.</summary>
    public const int MaxAddSets = 16;

    /// <summary>One operation as a trace token, with names from the catalog.</summary>
    public static string Format(Catalog catalog, Operation op)
    {
        var name = op.Patch == Operation.NoPatch || op.Patch >= catalog.Count ? null : catalog[op.Patch].Name;
        return op.Kind switch
        {
            OpKind.Load when op.Params != 0 => $"load:{name}:{string.Join(".", catalog.AddSetsVariants[op.Params])}",
            OpKind.Load => $"load:{name}",
            OpKind.Disable => $"disable:{name}",
            OpKind.Unload => $"unload:{name}",
            OpKind.Complete => "complete",
            OpKind.Reverse => "reverse",
            _ => name is null ? "force" : $"force:{name}",
        };
    }

    /// <summary>A whole trace as the URL carries it.</summary>
    public static string Format(Catalog catalog, IEnumerable<Operation> ops) => string.Join(",", ops.Select(o => Format(catalog, o)));

    /// <summary>Parses a trace over a catalog's patches; null with a message naming the step on bad input.</summary>
    /// <param name="text">The trace; null or empty for none.</param>
    /// <param name="catalog">The catalog whose patch names and <c>add_sets</c> values the trace uses.</param>
    /// <param name="extra">The <c>add_sets</c> values the trace passes that the catalog does not have; a load passing the k-th has variant <c>catalog.AddSetsVariants.Length + k</c>.</param>
    /// <param name="error">Why the text is not a trace.</param>
    public static List<Operation>? Parse(string? text, Catalog catalog, out List<ImmutableArray<uint>> extra, out string? error)
    {
        extra = [];
        error = null;
        var ops = new List<Operation>();
        if (string.IsNullOrEmpty(text)) return ops;
        var tokens = text.Split(',');
        if (tokens.Length > MaxOperations)
        {
            error = $"the trace has {tokens.Length} operations, more than {MaxOperations}";
            return null;
        }
        for (var i = 0; i < tokens.Length; i++)
        {
            if (Token(tokens[i], catalog, extra, out var message) is { } op) ops.Add(op);
            else
            {
                error = $"trace step {i + 1} ('{tokens[i]}'): {message}";
                return null;
            }
        }
        return ops;
    }

    private static Operation? Token(string token, Catalog catalog, List<ImmutableArray<uint>> extra, out string? error)
    {
        error = null;
        var parts = token.Split(':');
        var verb = parts[0];
        int Patch(out string? message)
        {
            message = null;
            var p = catalog.IndexOf(parts[1]);
            if (p < 0) message = parts[1].Length == 0 ? $"{verb} needs a patch name" : $"unknown patch '{parts[1]}' (the catalog has {string.Join(", ", catalog.Patches.Select(x => x.Name))})";
            return p;
        }
        switch (verb)
        {
            case "load" when parts.Length is 2 or 3:
            {
                var p = Patch(out error);
                if (p < 0) return null;
                if (parts.Length == 2) return Model.Operation.Load(p);
                var sets = AddSets(parts[2], out error);
                if (sets is null) return null;
                var at = catalog.AddSetsVariants.IndexOf(sets.Value, SequenceComparer.Instance);
                if (at < 0)
                {
                    var k = extra.FindIndex(x => x.SequenceEqual(sets.Value));
                    if (k < 0)
                    {
                        extra.Add(sets.Value);
                        k = extra.Count - 1;
                    }
                    at = catalog.AddSetsVariants.Length + k;
                }
                return Model.Operation.Load(p, at);
            }
            case "disable" or "unload" when parts.Length == 2:
            {
                var p = Patch(out error);
                if (p < 0) return null;
                return verb == "disable" ? Model.Operation.Disable(p) : Model.Operation.Unload(p);
            }
            case "force" when parts.Length is 1 or 2:
            {
                if (parts.Length == 1) return Model.Operation.Force();
                var p = Patch(out error);
                return p < 0 ? null : Model.Operation.Force(p);
            }
            case "complete" or "reverse" when parts.Length == 1:
                return verb == "complete" ? Model.Operation.Complete() : Model.Operation.Reverse();
            case "load" or "disable" or "unload" or "force" or "complete" or "reverse":
                error = verb switch
                {
                    "load" => "expected load:NAME or load:NAME:S.S (add_sets)",
                    "disable" or "unload" => $"expected {verb}:NAME",
                    "force" => "expected force or force:NAME",
                    _ => $"{verb} takes no patch",
                };
                return null;
            default:
                error = "unknown operation (known: load, disable, unload, complete, reverse, force)";
                return null;
        }
    }

    private static ImmutableArray<uint>? AddSets(string text, out string? error)
    {
        error = null;
        var numbers = text.Split('.');
        if (numbers.Length > MaxAddSets)
        {
            error = $"add_sets holds at most {MaxAddSets} sets";
            return null;
        }
        var list = ImmutableArray.CreateBuilder<uint>(numbers.Length);
        foreach (var n in numbers)
        {
            if (n.Length == 0 || n.Length > 10 || !n.All(char.IsAsciiDigit) || !uint.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var v))
            {
                error = $"add_sets takes set numbers from 0 to {uint.MaxValue} separated by '.', not '{text}'";
                return null;
            }
            list.Add(v);
        }
        return list.ToImmutable();
    }

    private sealed class SequenceComparer : IEqualityComparer<ImmutableArray<uint>>
    {
        public static readonly SequenceComparer Instance = new();
        public bool Equals(ImmutableArray<uint> x, ImmutableArray<uint> y) => x.SequenceEqual(y);
        public int GetHashCode(ImmutableArray<uint> obj) => obj.Length;
    }
}
