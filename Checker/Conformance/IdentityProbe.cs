using Klp.Check.Model;
using Klp.Check.Scenarios;

namespace Klp.Check.Conformance;

/// <summary>Which function identity a kernel has, from the probe: the first two loads of <see cref="IdentityProbe.ScenarioFile"/>, with every <c>old_sympos</c> as written.</summary>
/// <param name="Identity">The identity whose model agrees with the kernel on the probe; null when neither does.</param>
/// <param name="Normalized">The probe compared under <c>upstream</c>.</param>
/// <param name="Exact">The probe compared under <c>upstream(function-identity=exact)</c>.</param>
public sealed record IdentityResult(FunctionIdentity? Identity, TraceResult Normalized, TraceResult Exact)
{
    /// <summary>What the report says: the identity and what it means for this kernel.</summary>
    public string Description => Identity switch
    {
        FunctionIdentity.Normalized => "normalized: a replace patch naming cmdline_proc_show at sympos 1 loads over one naming it at sympos 0 (klp_find_func() matches sympos 0 and 1, commit 139560e8b973 \"livepatch: Match old_sympos 0 and 1 in klp_find_func()\" or its backport); the model's default",
        FunctionIdentity.Exact => "exact: a replace patch naming cmdline_proc_show at sympos 1 over one naming it at sympos 0 is refused with EEXIST (klp_find_func() compares sympos exactly: the kernel predates commit 139560e8b973 \"livepatch: Match old_sympos 0 and 1 in klp_find_func()\" and lacks its backport); the model of this kernel is upstream(function-identity=exact)",
        _ => "DISAGREES: neither identity's model agrees with the kernel on the probe" + (Normalized.First is { } f
            ? $" (step {f.Step}, {f.Operation}: " + string.Join("; ", f.Differing.Select(d => $"{d} model {f.Model[d]}, kernel {f.Kernel[d]}")) + ")"
            : Normalized.Why is { } why ? $" ({why})" : ""),
    };
}

/// <summary>The function identity probe <c>conform</c> runs on every kernel (docs/conformance.md).</summary>
/// <remarks>
/// <c>klp_add_object_nops()</c> looks a replaced patch's functions up in the new patch with
/// <c>klp_find_func()</c>. Before commit 139560e8b973 it compared <c>old_sympos</c> exactly: a
/// replace patch naming <c>f</c> at sympos 1 gets a nop for an enabled patch's <c>f</c> at sympos
/// 0, both sysfs directories are <c>f,1</c>, and the load fails with <c>EEXIST</c>; with the
/// commit it loads. <see cref="Realisation.WithLiteralSympos"/> writes the sympos the kernel must
/// see; every other trace leaves it out, so it does not depend on the identity.
/// </remarks>
public static class IdentityProbe
{
    /// <summary>The scenario whose first two loads are the probe, and whose outcome differs between the identities.</summary>
    public const string ScenarioFile = "scenarios/kernel/code-sympos-nop-clash.klp";

    /// <summary>What the report calls the probe.</summary>
    public const string Label = "function identity probe (" + ScenarioFile + ", steps 1 to 3)";

    private static readonly Scenario scenario = ScenarioParser.Parse(
        """
        patch test_klp_livepatch  replace=false funcs={cmdline_proc_show}
        patch test_klp_livepatch2 replace       funcs={cmdline_proc_show@1}
        load test_klp_livepatch
        load test_klp_livepatch2
        """, Label);

    /// <summary>The probe's catalog: a non-replace patch of <c>cmdline_proc_show</c> at sympos 0, a replace patch of it at sympos 1.</summary>
    public static Catalog Catalog => scenario.Catalog;

    /// <summary>The probe's operations: load both, in order (atomic).</summary>
    public static IReadOnlyList<Operation> Operations { get; } = [.. scenario.Steps.Where(s => s.Operation is not null).Select(s => s.Operation!.Value)];

    /// <summary>The probe as a trace with the given number.</summary>
    public static ConformTrace Trace(int id) =>
        new(id, ScenarioFile, Label, Realisation.TryCreate(Catalog, out _)!.WithLiteralSympos(), Operations, [.. Operations.Select(_ => 0)]);

    /// <summary>Compares the kernel's run of the probe with both identities.</summary>
    public static IdentityResult Judge(ConformTrace trace, TraceObservation? observed, Observability observable, string release)
    {
        var normalized = TraceComparison.Compare(trace, ConformTraces.Upstream, observed, observable, release);
        var exact = TraceComparison.Compare(trace, ConformTraces.Upstream.With(ConformTraces.Upstream.Options with { FunctionIdentity = FunctionIdentity.Exact }), observed, observable, release);
        FunctionIdentity? identity = normalized.Agreement == Agreement.Agree && exact.Agreement != Agreement.Agree ? FunctionIdentity.Normalized
            : exact.Agreement == Agreement.Agree && normalized.Agreement != Agreement.Agree ? FunctionIdentity.Exact
            : null;
        return new IdentityResult(identity, normalized, exact);
    }
}
