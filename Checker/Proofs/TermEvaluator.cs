namespace Klp.Check.Proofs;

/// <summary>Evaluates the terms reachable from some roots under an assignment of their variables: the same DAG a solver gets, computed in C#.</summary>
/// <remarks>
/// Built once per set of roots (the nodes in id order, so arguments before their users), then
/// evaluated as often as needed; a variable the assignment leaves out is an error, never 0.
/// </remarks>
public sealed class TermEvaluator
{
    private readonly Term[] order;
    private readonly int[] slot;
    private readonly UInt128[] values;

    /// <summary>Prepares the evaluation of every node reachable from the roots.</summary>
    public TermEvaluator(Terms terms, IEnumerable<Term> roots)
    {
        order = [.. Terms.Reachable(roots)];
        slot = new int[terms.Count];
        Array.Fill(slot, -1);
        for (var i = 0; i < order.Length; i++) slot[order[i].Id] = i;
        values = new UInt128[order.Length];
    }

    /// <summary>The variables the roots depend on.</summary>
    public IEnumerable<Term> Variables => order.Where(t => t.Kind == TermKind.Var);

    /// <summary>Evaluates every node; <paramref name="assignment"/> gives each variable's value by name (a Boolean as 0 or 1).</summary>
    /// <exception cref="KeyNotFoundException">A variable has no value.</exception>
    public void Evaluate(Func<Term, UInt128> assignment)
    {
        for (var i = 0; i < order.Length; i++)
        {
            var t = order[i];
            values[i] = t.Kind == TermKind.Var ? assignment(t) & Term.Mask(Math.Max(1, t.Width)) : Compute(t);
        }
    }

    /// <summary>The value of a node after <see cref="Evaluate"/>: a Boolean is 0 or 1.</summary>
    /// <exception cref="ArgumentException">The node is not reachable from the roots.</exception>
    public UInt128 Value(Term t) =>
        t.Id < slot.Length && slot[t.Id] >= 0 ? values[slot[t.Id]] : throw new ArgumentException($"{t} is not among the evaluated terms", nameof(t));

    /// <summary>The Boolean value of a node after <see cref="Evaluate"/>.</summary>
    public bool Holds(Term t) => Value(t) == 1;

    private UInt128 Arg(Term t, int i) => values[slot[t.Args[i].Id]];

    private UInt128 Compute(Term t)
    {
        var mask = Term.Mask(Math.Max(1, t.Width));
        switch (t.Kind)
        {
            case TermKind.Const: return t.Value;
            case TermKind.Not: return Arg(t, 0) ^ 1;
            case TermKind.And:
                for (var i = 0; i < t.Args.Length; i++)
                    if (Arg(t, i) == 0) return 0;
                return 1;
            case TermKind.Or:
                for (var i = 0; i < t.Args.Length; i++)
                    if (Arg(t, i) != 0) return 1;
                return 0;
            case TermKind.Ite: return Arg(t, 0) != 0 ? Arg(t, 1) : Arg(t, 2);
            case TermKind.Eq: return Arg(t, 0) == Arg(t, 1) ? 1u : 0u;
            case TermKind.BvNot: return ~Arg(t, 0) & mask;
            case TermKind.BvAnd: return Arg(t, 0) & Arg(t, 1);
            case TermKind.BvOr: return Arg(t, 0) | Arg(t, 1);
            case TermKind.BvXor: return Arg(t, 0) ^ Arg(t, 1);
            case TermKind.BvAdd: return (Arg(t, 0) + Arg(t, 1)) & mask;
            case TermKind.BvSub: return (Arg(t, 0) - Arg(t, 1)) & mask;
            case TermKind.BvNeg: return (UInt128.Zero - Arg(t, 0)) & mask;
            case TermKind.BvShl:
                var by = Arg(t, 1);
                return by >= (UInt128)t.Width ? 0 : (Arg(t, 0) << (int)by) & mask;
            case TermKind.BvUlt: return Arg(t, 0) < Arg(t, 1) ? 1u : 0u;
            case TermKind.BvUle: return Arg(t, 0) <= Arg(t, 1) ? 1u : 0u;
            case TermKind.Extract: return (Arg(t, 0) >> t.Lo) & mask;
            case TermKind.Concat: return (Arg(t, 0) << t.Args[1].Width) | Arg(t, 1);
            default: throw new InvalidOperationException($"cannot evaluate {t.Kind}");
        }
    }
}
