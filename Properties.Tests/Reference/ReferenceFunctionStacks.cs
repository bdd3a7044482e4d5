using System.Collections.Immutable;
using Klp.Check.Model;

namespace Klp.Check.Tests.Reference;

/// <summary>One <c>struct klp_func</c> on a <c>func_stack</c>: the patch it belongs to, whether it is a nop, its <c>transition</c> flag.</summary>
public sealed record RefFunc(int Patch, bool Nop, bool Transition);

/// <summary>The livepatch core's function stacks, kept explicitly and changed operation by operation.</summary>
/// <param name="Stacks">Per function address (a function under normalized identity), its <c>func_stack</c>, head first.</param>
/// <param name="TransitionPatch"><c>klp_transition_patch</c>, or -1.</param>
/// <param name="TargetPatched"><c>klp_target_state</c> is <c>KLP_PATCHED</c>.</param>
/// <param name="Replacing">The patches the transition patch unpatches when it completes as patched.</param>
public sealed record RefStacks(
    ImmutableDictionary<FunctionId, ImmutableList<RefFunc>> Stacks,
    int TransitionPatch,
    bool TargetPatched,
    ImmutableSortedSet<int> Replacing)
{
    public static readonly RefStacks Empty = new(ImmutableDictionary<FunctionId, ImmutableList<RefFunc>>.Empty, -1, false, []);

    /// <summary>The <c>func_stack</c> of a function, head first; empty when nothing patches it.</summary>
    public ImmutableList<RefFunc> Of(FunctionId f) => Stacks.GetValueOrDefault(f.Normalized, []);
}

/// <summary>
/// A slow, obviously correct simulation of the function stacks, written from
/// <c>kernel/livepatch/core.c</c>, <c>patch.c</c> and <c>transition.c</c> without looking at
/// Model/FunctionStack.cs. <see cref="ReferenceKernel"/> decides whether an operation is accepted
/// and which patches a load replaces; this class does to the stacks what the kernel does then.
/// </summary>
/// <remarks>
/// Load: <c>klp_init_patch()</c> gives a replacing patch a nop for every function of a replaced
/// patch (in <c>klp_patches</c> order) that <c>klp_find_func()</c> does not find among its own
/// functions and nops; <c>klp_init_transition()</c> sets <c>transition</c> on all of them and
/// <c>klp_patch_object()</c> pushes them (<c>list_add_rcu()</c> on <c>ops-&gt;func_stack</c>).
/// Disable: <c>klp_init_transition()</c> marks the patch's functions, which stay where they are.
/// Reverse: <c>klp_reverse_transition()</c> flips the target and keeps the marks.
/// Complete and force: <c>klp_complete_transition()</c> removes the replaced patches' functions
/// (<c>klp_unpatch_replaced_patches()</c>) and the nops (<c>klp_discard_nops()</c>) when the target
/// is patched, every function of the transition patch when it is unpatched
/// (<c>klp_unpatch_objects()</c>), then clears the marks. Atomic mode is a transition that
/// completes in the same step.
/// </remarks>
public static class ReferenceFunctionStacks
{
    /// <summary>One step of <see cref="ReferenceKernel"/> and what it does to the stacks.</summary>
    public static (RefOutcome Outcome, RefStacks Stacks) Step(Catalog catalog, Reading reading, RefState state, RefStacks stacks, Operation op)
    {
        var outcome = ReferenceKernel.Step(catalog, reading, state, op);
        if (!outcome.Accepted) return (outcome, stacks);
        var atomic = reading.Options.Granularity == Granularity.Atomic;
        var next = op.Kind switch
        {
            OpKind.Load => Enable(catalog, reading, state, stacks, op.Patch,
                atomic ? outcome.Affected : outcome.State.Transition!.Replacing),
            OpKind.Complete or OpKind.Force => CompleteTransition(stacks),
            OpKind.Reverse => stacks with { TargetPatched = !stacks.TargetPatched },
            // enabled_store() on the transition patch reverses its transition.
            OpKind.Disable when stacks.TransitionPatch >= 0 => stacks with { TargetPatched = !stacks.TargetPatched },
            OpKind.Disable => Mark(stacks with { TransitionPatch = op.Patch, TargetPatched = false, Replacing = [] }, op.Patch),
            _ => stacks,
        };
        if (atomic && next.TransitionPatch >= 0) next = CompleteTransition(next);
        return (outcome, next);
    }

    /// <summary>The patch whose code a task runs for a function, or -1 for the original code, as <c>klp_ftrace_handler()</c> picks it.</summary>
    /// <param name="stacks">The stacks.</param>
    /// <param name="f">The function.</param>
    /// <param name="switched">The task's <c>patch_state</c> is the target state; otherwise the opposite one.</param>
    public static int Runs(RefStacks stacks, FunctionId f, bool switched)
    {
        var stack = stacks.Of(f);
        if (stack.IsEmpty) return -1;
        var func = stack[0];
        if (func.Transition)
        {
            var patchState = switched ? stacks.TargetPatched : !stacks.TargetPatched;
            if (!patchState)
            {
                if (stack.Count == 1) return -1;
                func = stack[1];
            }
        }
        return func.Nop ? -1 : func.Patch;
    }

    private static RefStacks Enable(Catalog catalog, Reading reading, RefState before, RefStacks stacks, int p, ImmutableSortedSet<int> replacing)
    {
        var own = catalog[p].Funcs;
        var nops = ReferenceKernel.Nops(catalog, reading, p, before.Patches.Select(e => e.Patch).Where(replacing.Contains));

        var result = stacks with { TransitionPatch = p, TargetPatched = true, Replacing = replacing };
        // One klp_ops per address: a patch that names one function twice (f and f@1) could not
        // load (two sysfs directories "f,1"), so it pushes once.
        foreach (var f in own.Select(f => f.Normalized).Distinct())
            result = Push(result, f, new RefFunc(p, false, true));
        foreach (var g in nops)
            result = Push(result, g.Normalized, new RefFunc(p, true, true));
        return result;
    }

    private static RefStacks Push(RefStacks stacks, FunctionId f, RefFunc func) =>
        stacks with { Stacks = stacks.Stacks.SetItem(f, stacks.Of(f).Insert(0, func)) };

    private static RefStacks Mark(RefStacks stacks, int p) => stacks with
    {
        Stacks = stacks.Stacks.ToImmutableDictionary(kv => kv.Key,
            kv => kv.Value.Select(func => func.Patch == p ? func with { Transition = true } : func).ToImmutableList()),
    };

    private static RefStacks CompleteTransition(RefStacks stacks)
    {
        var t = stacks.TransitionPatch;
        bool Leaves(RefFunc func) => stacks.TargetPatched
            ? stacks.Replacing.Contains(func.Patch) || func.Patch == t && func.Nop
            : func.Patch == t;
        var remaining = ImmutableDictionary.CreateBuilder<FunctionId, ImmutableList<RefFunc>>();
        foreach (var (f, stack) in stacks.Stacks)
        {
            var kept = stack.Where(func => !Leaves(func)).Select(func => func with { Transition = false }).ToImmutableList();
            if (!kept.IsEmpty) remaining[f] = kept;
        }
        return new RefStacks(remaining.ToImmutable(), -1, false, []);
    }
}
