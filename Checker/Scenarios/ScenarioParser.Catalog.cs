using System.Collections.Immutable;
using Klp.Check.Model;

namespace Klp.Check.Scenarios;

public static partial class ScenarioParser
{
    private sealed partial class Parser
    {
        private Catalog? Finish()
        {
            var releases = new Dictionary<Origin, int>();
            foreach (var d in drafts)
            {
                var origin = d.Origin ?? Origin.Vendor;
                releases.TryGetValue(origin, out var next);
                d.Release ??= next;
                releases[origin] = Math.Max(next, d.Release.Value) + 1;
            }
            var patches = new List<Patch>();
            foreach (var d in drafts)
            {
                CurrentLine = d.Line;
                var funcs = FuncsOf(d, []);
                if (funcs is null) continue;
                var origin = d.Origin ?? Origin.Vendor;
                var kind = d.Kind ?? PatchKind.Hotfix;
                var sets = d.SetSource == SetSource.Fixed ? d.Sets ?? Patch.DefaultSets : [];
                if (d.SetSource == SetSource.Fixed && d.UpdateOf is { } h && d.Sets is null) sets = h.Sets ?? Patch.DefaultSets;
                patches.Add(new Patch(d.Name, origin, kind, d.Release!.Value, funcs.Value, d.States ?? [],
                    d.Replace ?? (kind == PatchKind.Cumulative && origin == Origin.Vendor), sets, d.SetSource, d.AutoOf, d.UpdateOf?.Name));
            }
            if (Diagnostics.Count > 0) return null;
            Catalog catalog;
            try
            {
                catalog = new Catalog(patches, addSets);
            }
            catch (CatalogException e)
            {
                if (e.Patch >= 0) CurrentLine = drafts[e.Patch].Line;
                Error(e.Patch >= 0 ? drafts[e.Patch].Column : 1, e.Message);
                return null;
            }
            // A function no patch patches is always original: the expectation is a typo, as an unknown patch name is.
            foreach (var step in steps)
                foreach (var e in step.Expectations)
                {
                    if (e.Clause is not ActiveClause a || catalog.IndexOfFunction(a.Function) >= 0) continue;
                    CurrentLine = e.Line;
                    var after = e.Text["active".Length..];
                    Error(e.Column + e.Text.Length - after.TrimStart().Length, $"no patch patches function '{a.Function}'");
                }
            return Diagnostics.Count > 0 ? null : catalog;
        }

        // Default functions: one of its own; a vendor cumulative rolls up every earlier vendor
        // release, each function once (f and f@1 are one function, as the first spelled it);
        // an update patches the functions of the hotfix it updates. A list written with funcs=
        // stays as written: one that names a function twice is a module the kernel refuses.
        private ImmutableArray<FunctionId>? FuncsOf(Draft d, HashSet<Draft> visiting)
        {
            if (d.Resolved is { } done) return done;
            if (d.Funcs is { } given) return d.Resolved = given;
            if (!visiting.Add(d))
            {
                Error(d.Column, $"patch '{d.Name}' takes its functions from itself through update=");
                return null;
            }
            ImmutableArray<FunctionId>? result;
            if (d.UpdateOf is { } h) result = FuncsOf(h, visiting);
            else
            {
                var own = new FunctionId(FunctionId.Vmlinux, Patch.OwnFunction(d.Name), 0);
                var list = new List<FunctionId>();
                if ((d.Origin ?? Origin.Vendor) == Origin.Vendor && d.Kind == PatchKind.Cumulative)
                {
                    foreach (var e in drafts)
                    {
                        if (e == d || (e.Origin ?? Origin.Vendor) != Origin.Vendor || e.Release >= d.Release) continue;
                        var ef = FuncsOf(e, visiting);
                        if (ef is null) return null;
                        foreach (var f in ef.Value)
                            if (!list.Exists(g => g.Normalized == f.Normalized)) list.Add(f);
                    }
                }
                if (!list.Exists(g => g.Normalized == own.Normalized)) list.Insert(0, own);
                result = [.. list];
            }
            visiting.Remove(d);
            d.Resolved = result;
            return result;
        }
    }
}
