using System.Text;

namespace Klp.Check.Model;

/// <summary>A run of the model: a catalog, a reading with its options, and the operations applied to it from the empty kernel.</summary>
/// <remarks>
/// Every counterexample, witness, distinguishing trace, scenario and random run is one, and
/// <see cref="Replay"/> is the one place that runs operations one after another through
/// <see cref="Kernel.Step"/>; the searches expand states with it, they do not replay.
/// </remarks>
/// <param name="Catalog">The patches and <c>add_sets</c> variants the operations refer to.</param>
/// <param name="Reading">The reading, options and granularity included.</param>
/// <param name="Operations">The operations, in order.</param>
public sealed record Trace(Catalog Catalog, Reading Reading, IReadOnlyList<Operation> Operations)
{
    /// <summary>The outcome of every operation, in order, each applied by <see cref="Kernel.Step"/> to the state the one before left (a refusal leaves the state its outcome carries).</summary>
    public Outcome[] Replay()
    {
        var outcomes = new Outcome[Operations.Count];
        var state = KernelState.Empty;
        for (var i = 0; i < outcomes.Length; i++)
        {
            outcomes[i] = Kernel.Step(Catalog, Reading, state, Operations[i]);
            state = outcomes[i].State;
        }
        return outcomes;
    }

    /// <summary>The state after the last operation, for a trace that is a real run: every operation but the last accepted.</summary>
    /// <exception cref="InvalidOperationException">An operation before the last was refused.</exception>
    public KernelState End()
    {
        var outcomes = Replay();
        for (var i = 0; i < outcomes.Length - 1; i++)
            if (!outcomes[i].Accepted)
                throw new InvalidOperationException($"trace step {i + 1} ({Operations[i].Format(Catalog)}) was refused on replay: {outcomes[i].Reason.Name()}");
        return outcomes.Length == 0 ? KernelState.Empty : outcomes[^1].State;
    }

    /// <summary>The run as a scenario file (without expectations), so that a counterexample can be replayed with <c>klp-check replay</c>.</summary>
    public override string ToString()
    {
        var r = Reading;
        var text = new StringBuilder();
        text.AppendLine($"# reading {r.Name}: replace={r.Replace} membership={r.Membership} zero={r.Zero} arity={r.Arity} "
            + $"add-sets={r.AddSetsParameter} states-against-all={r.StatesCheckedAgainstAll}");
        foreach (var option in ReadingOptionText.Format(r.Options).SkipLast(1)) text.AppendLine($"option {option}");
        text.AppendLine($"readings {r.Name}");
        text.AppendLine($"mode {ReadingOptionText.ModeName(r.Options.Granularity)}");
        text.Append(CatalogText.Describe(Catalog));
        foreach (var op in Operations) text.AppendLine(op.Format(Catalog));
        return text.ToString();
    }
}
