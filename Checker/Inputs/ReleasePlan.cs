using System.Collections.Immutable;
using System.Text;
using Klp.Check.Model;

namespace Klp.Check.Inputs;

/// <summary>What a release is meant to be (docs/semantics.md section 5.1).</summary>
public enum Intent : byte
{
    /// <summary>A vendor release that absorbs every earlier vendor release and rolls up their functions.</summary>
    Cumulative,
    /// <summary>A new vendor fix with functions of its own, meant to coexist with the current cumulative.</summary>
    Hotfix,
    /// <summary>The next version of a hotfix: its functions, meant to replace it.</summary>
    Update,
    /// <summary>A customer's own patch.</summary>
    Customer,
}

/// <summary>One release of a plan.</summary>
/// <param name="Intent">What it is meant to be.</param>
/// <param name="Updates">For <see cref="Intent.Update"/>, the index of the release it updates; else -1.</param>
/// <param name="SharesWith">For a customer release, the index of a vendor release whose own function it also patches; else -1.</param>
/// <param name="State">The state it declares, if any (id 1).</param>
public readonly record struct Release(Intent Intent, int Updates = -1, int SharesWith = -1, KlpState? State = null);

/// <summary>An ordered list of releases that each reading's encoder builds its own way.</summary>
public sealed record ReleasePlan(ImmutableArray<Release> Releases)
{
    /// <summary>The patch names of the releases: cum1, hot1, hot1v2, cust1...</summary>
    public ImmutableArray<string> Names { get; init; } = NameReleases(Releases);

    private static ImmutableArray<string> NameReleases(ImmutableArray<Release> releases)
    {
        var names = new string[releases.Length];
        int cum = 0, hot = 0, cust = 0;
        var versions = new Dictionary<int, int>();
        for (var i = 0; i < releases.Length; i++)
        {
            var r = releases[i];
            switch (r.Intent)
            {
                case Intent.Cumulative: names[i] = $"cum{++cum}"; break;
                case Intent.Hotfix: names[i] = $"hot{++hot}"; versions[i] = 1; break;
                case Intent.Customer: names[i] = $"cust{++cust}"; break;
                default:
                    var line = Line(releases, i);
                    versions[line] = versions.GetValueOrDefault(line, 1) + 1;
                    names[i] = $"{names[line]}v{versions[line]}";
                    break;
            }
        }
        return [.. names];
    }

    /// <summary>Whether a customer release shares a vendor function, and whether releases declare states.</summary>
    public InputFeatures Features =>
        (Releases.Any(r => r.SharesWith >= 0) ? InputFeatures.SharedFunction : InputFeatures.None)
        | (Releases.Any(r => r.State is not null) ? InputFeatures.States : InputFeatures.None);

    /// <summary>The first release of the hotfix line a release belongs to (itself for a hotfix).</summary>
    public static int Line(ImmutableArray<Release> releases, int index)
    {
        var i = index;
        while (releases[i].Intent == Intent.Update) i = releases[i].Updates;
        return i;
    }

    /// <summary>The plan in the documented plan syntax (docs/bounds.md), one release per line.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        for (var i = 0; i < Releases.Length; i++)
        {
            var r = Releases[i];
            sb.Append(Names[i]).Append(": ").Append(r.Intent switch
            {
                Intent.Cumulative => "cumulative",
                Intent.Hotfix => "hotfix",
                Intent.Update => $"update {Names[r.Updates]}",
                _ => "customer",
            });
            if (r.SharesWith >= 0) sb.Append($" shares {Names[r.SharesWith]}");
            if (r.State is { } s) sb.Append($" state {s}");
            sb.AppendLine();
        }
        return sb.ToString();
    }

    /// <summary>Builds the catalog a vendor following a reading would ship for this plan, the way its <see cref="Reading.Encoding"/> says.</summary>
    public Catalog Encode(Reading reading)
    {
        var n = Releases.Length;
        var own = new FunctionId[n];
        for (var i = 0; i < n; i++) own[i] = new FunctionId(FunctionId.Vmlinux, Patch.OwnFunction(Names[i]), 0);
        var funcs = new List<FunctionId>[n];
        var sets = new ImmutableArray<uint>[n];
        var source = new SetSource[n];
        var autoOf = new string?[n];
        var hotfixSet = new Dictionary<int, uint>();
        var hotfixLines = 0;
        uint nextHotfix = reading.Encoding == PlanEncoding.ZeroSet ? 1u : 2u;
        uint nextCustomer = 1000;
        for (var i = 0; i < n; i++)
        {
            var r = Releases[i];
            var f = new List<FunctionId>();
            switch (r.Intent)
            {
                case Intent.Cumulative:
                    f.Add(own[i]);
                    for (var j = 0; j < i; j++)
                        if (Releases[j].Intent != Intent.Customer)
                            foreach (var g in funcs[j]) if (!f.Contains(g)) f.Add(g);
                    break;
                case Intent.Hotfix:
                    f.Add(own[i]);
                    break;
                case Intent.Update:
                    f.AddRange(funcs[r.Updates]);
                    break;
                default:
                    f.Add(own[i]);
                    if (r.SharesWith >= 0) f.Add(own[r.SharesWith]);
                    break;
            }
            funcs[i] = f;

            source[i] = SetSource.Fixed;
            switch (reading.Encoding)
            {
                case PlanEncoding.ReplaceFlag:
                    sets[i] = Patch.DefaultSets;
                    break;
                case PlanEncoding.Dynamic:
                    if (r.Intent == Intent.Cumulative)
                        sets[i] = [.. Enumerable.Range(1, hotfixLines + 1).Select(k => (uint)k)];
                    else if (r.Intent == Intent.Update)
                    {
                        source[i] = SetSource.AutoOf;
                        autoOf[i] = Names[r.Updates];
                        sets[i] = [];
                    }
                    else
                    {
                        source[i] = SetSource.Auto;
                        sets[i] = [];
                    }
                    break;
                default:
                    sets[i] = r.Intent switch
                    {
                        Intent.Cumulative => reading.Encoding switch
                        {
                            PlanEncoding.SingleSet => [1u],
                            PlanEncoding.ZeroSet => [0u],
                            _ => [1u, .. hotfixSet.OrderBy(kv => kv.Key).Select(kv => kv.Value)],
                        },
                        Intent.Hotfix => [hotfixSet[i] = nextHotfix++],
                        Intent.Update => sets[Line(Releases, i)],
                        _ => [nextCustomer++],
                    };
                    break;
            }
            if (r.Intent == Intent.Hotfix) hotfixLines++;
        }

        var patches = new List<Patch>(n);
        int vendorRelease = 0, customerRelease = 0;
        for (var i = 0; i < n; i++)
        {
            var r = Releases[i];
            var customer = r.Intent == Intent.Customer;
            var kind = r.Intent == Intent.Cumulative ? PatchKind.Cumulative : PatchKind.Hotfix;
            patches.Add(new Patch(
                Names[i],
                customer ? Origin.Customer : Origin.Vendor,
                kind,
                customer ? customerRelease++ : vendorRelease++,
                [.. funcs[i]],
                r.State is { } s ? [s] : [],
                Replace: reading.Encoding == PlanEncoding.ReplaceFlag && r.Intent == Intent.Cumulative,
                sets[i],
                source[i],
                autoOf[i],
                r.Intent == Intent.Update ? Names[r.Updates] : null));
        }
        return new Catalog(patches);
    }
}
