namespace Klp.Check.Proofs;

/// <summary>States and operations of a path of the symbolic transition relation in one solver session: from the empty kernel (bounded model checking) or from an arbitrary state (induction).</summary>
/// <remarks>
/// Each state after the first is a fresh set of variables equal to the step from the one before,
/// so the solver sees one copy of the step per operation, and the model gives every state.
/// From the empty kernel every operation that leads to a next state is accepted (a refused one
/// changes nothing); from an arbitrary state it may be refused.
/// </remarks>
internal sealed class Unrolling
{
    private readonly SymbolicKernel kernel;
    private readonly bool fromEmpty, auto, param, twoPhase;
    private readonly string prefix;

    public Unrolling(SmtSession session, SymbolicKernel kernel, bool fromEmpty, bool auto, bool param, string prefix)
    {
        Session = session;
        this.kernel = kernel;
        this.fromEmpty = fromEmpty;
        this.auto = auto;
        this.param = param;
        this.prefix = prefix;
        twoPhase = kernel.Catalog.Reading.Options.Granularity == Klp.Check.Model.Granularity.TwoPhase;
        var c = kernel.Catalog;
        session.Assert(c.Constraints);
        States.Add(fromEmpty ? SymbolicState.Empty(c) : SymbolicState.Fresh(c, $"{prefix}.s0", auto, param));
    }

    public SmtSession Session { get; }

    /// <summary>The states s0, s1, ...</summary>
    public List<SymbolicState> States { get; } = [];

    /// <summary>The operations; operation i leads from state i to state i + 1, if that state exists.</summary>
    public List<SymbolicOp> Ops { get; } = [];

    /// <summary>The outcomes of the operations from their states.</summary>
    public List<SymbolicOutcome> Outcomes { get; } = [];

    /// <summary>Adds the operation from the last state (without a next state yet).</summary>
    public void AddOp()
    {
        if (Ops.Count >= States.Count) return;
        var c = kernel.Catalog;
        var i = Ops.Count;
        var op = SymbolicOp.Fresh(c, $"{prefix}.o{i}", param);
        Session.Assert(op.InAlphabet(c.T, twoPhase));
        Ops.Add(op);
        Outcomes.Add(kernel.Step(States[i], op));
    }

    /// <summary>Adds the next state, reached by the last operation; <paramref name="assumed"/> is asserted of it.</summary>
    public void AddState(Func<SymbolicState, Term>? assumed = null)
    {
        AddOp();
        var c = kernel.Catalog;
        var i = States.Count - 1;
        var next = SymbolicState.Fresh(c, $"{prefix}.s{i + 1}", auto, param);
        Session.Assert(next.SameAs(c.T, Outcomes[i].Next));
        if (fromEmpty) Session.Assert(Outcomes[i].Accepted);
        States.Add(next);
        if (assumed is not null) Session.Assert(assumed(next));
    }
}
