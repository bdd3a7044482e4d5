using Klp.Check.Model;

namespace Klp.Check.Conformance;

/// <summary>One observable fact after a step, as both sides print it: <c>result</c>, <c>enabled</c>, <c>order</c>, <c>transition</c>, <c>active FUNC</c> (or, in a held transition, <c>runs FUNC switched</c>, <c>runs FUNC unswitched</c>, <c>runs FUNC switched kthread</c>), <c>loaded</c>, <c>replace</c>.</summary>
/// <param name="Name">What it is.</param>
/// <param name="Value">Its value; two sides agree on the fact when the values are equal.</param>
public readonly record struct Fact(string Name, string Value);

/// <summary>What the kernel or the model shows after one step, as facts compared one by one.</summary>
/// <param name="Facts">The facts, in a fixed order.</param>
/// <param name="Errno">For a refusal, the errno's name; null when accepted.</param>
/// <param name="Detail">What the side adds beyond the facts: the model's reason, or the command's message.</param>
public sealed record StepView(IReadOnlyList<Fact> Facts, string? Errno, string Detail)
{
    /// <summary>The value of a fact, or null when this view has no such fact.</summary>
    public string? this[string name] => Facts.FirstOrDefault(f => f.Name == name).Value;

    /// <summary>What the model predicts: <see cref="Kernel.Step"/>'s outcome and the state after it.</summary>
    /// <param name="r">The realised catalog.</param>
    /// <param name="outcome">The step's outcome.</param>
    /// <param name="observable">What this kernel lets the harness see.</param>
    /// <param name="held">True inside a held transition: what switched and unswitched tasks run replaces the active code.</param>
    public static StepView Model(Realisation r, in Outcome outcome, Observability observable, bool held = false)
    {
        var c = r.Catalog;
        var s = outcome.State;
        var facts = new List<Fact>
        {
            new("result", outcome.Accepted ? "accepted" : "refused " + outcome.Errno),
            new("enabled", Set(Observables.Enabled(s).Select(p => r.ModuleNames[p]))),
        };
        if (observable.StackOrder) facts.Add(new("order", List(Observables.Enabled(s).Select(p => r.ModuleNames[p]))));
        facts.Add(new("transition", s.InTransition ? $"{r.ModuleNames[s.TransitionPatch]} {(s.TargetPatched ? "patched" : "unpatched")}" : "none"));
        string Code(int p) => p < 0 ? "original" : r.ModuleNames[p];
        for (var f = 0; f < c.Functions.Length; f++)
        {
            if (held)
            {
                var switched = Code(FunctionStack.Runs(c, s, f, switched: true));
                facts.Add(new(Runs(c.Functions[f], "switched"), switched));
                facts.Add(new(Runs(c.Functions[f], "unswitched"), Code(FunctionStack.Runs(c, s, f, switched: false))));
                facts.Add(new(Runs(c.Functions[f], "switched kthread"), switched));
            }
            else facts.Add(new("active " + c.Functions[f], Code(Observables.ActiveImplementation(c, s, f))));
        }
        facts.Add(new("loaded", Set(c.NamesOf(s.Loaded).Select(n => r.ModuleNames[c.IndexOf(n)]))));
        if (observable.Replace) facts.Add(new("replace", Set(Observables.Enabled(s).Select(p => $"{r.ModuleNames[p]}={(c[p].Replace ? 1 : 0)}"))));
        return new StepView(facts, outcome.Accepted ? null : outcome.Errno.ToString(), outcome.Accepted ? "" : outcome.Reason.Name());
    }

    /// <summary>What the kernel showed: the command's result, /sys/kernel/livepatch, the /proc files and /proc/modules.</summary>
    /// <param name="r">The realised catalog.</param>
    /// <param name="step">The guest's observation.</param>
    /// <param name="observable">What this kernel lets the harness see.</param>
    /// <param name="unswitchedIsA">Inside a held transition, true when the busy module's thread a is the unswitched one (it entered its busy function before the transition opened, and the transition was reversed an even number of times), false when it is b; null outside.</param>
    /// <remarks>
    /// The shell that reads the /proc files has switched: it returned to user space after every
    /// operation, and <c>exit_to_user_mode()</c> switches a task with <c>TIF_PATCH_PENDING</c>
    /// (<c>klp_update_patch_state()</c>, kernel/livepatch/transition.c). Inside a held transition
    /// its reading is what switched tasks run.
    /// </remarks>
    public static StepView Kernel(Realisation r, StepObservation step, Observability observable, bool? unswitchedIsA = null)
    {
        var errno = GuestOutput.Errno(step);
        var enabled = step.Livepatches.Where(d => d.Enabled).ToList();
        var facts = new List<Fact>
        {
            new("result", errno is null ? "accepted" : "refused " + errno),
            new("enabled", Set(enabled.Select(d => d.Name))),
        };
        if (observable.StackOrder) facts.Add(new("order", List(enabled.OrderBy(d => d.StackOrder ?? 0).Select(d => d.Name))));
        var moving = step.Livepatches.FirstOrDefault(d => d.Transition);
        facts.Add(new("transition", moving is null ? "none" : $"{moving.Name} {(moving.Enabled ? "patched" : "unpatched")}"));
        for (var f = 0; f < r.Catalog.Functions.Length; f++)
        {
            var shell = Code(f < step.Functions.Count ? step.Functions[f] : "");
            if (unswitchedIsA is { } a)
            {
                var pool = FunctionPool.Functions.IndexOf(r.Functions[f]);
                string Task(IReadOnlyList<string>? lines) => lines is not null && pool < lines.Count ? Code(lines[pool]) : "not read";
                facts.Add(new(Runs(r.Catalog.Functions[f], "switched"), shell));
                facts.Add(new(Runs(r.Catalog.Functions[f], "unswitched"), Task(a ? step.TaskA : step.TaskB)));
                facts.Add(new(Runs(r.Catalog.Functions[f], "switched kthread"), Task(a ? step.TaskB : step.TaskA)));
            }
            else facts.Add(new("active " + r.Catalog.Functions[f], shell));
        }
        facts.Add(new("loaded", Set(step.Modules.Where(m => m != Realisation.BusyModule))));
        if (observable.Replace) facts.Add(new("replace", Set(enabled.Select(d => $"{d.Name}={(d.Replace == true ? 1 : 0)}"))));
        return new StepView(facts, errno, step.Message);
    }

    // A /proc file's first line as the code that printed it: a replacement prints its module's name.
    private static string Code(string text) => text.StartsWith(Realisation.Marker, StringComparison.Ordinal) ? text[Realisation.Marker.Length..] : "original";

    /// <summary>The name of the fact "what tasks of this kind run for this function".</summary>
    public static string Runs(FunctionId function, string tasks) => $"runs {function} {tasks}";

    /// <summary>Names as a set: sorted, in braces.</summary>
    public static string Set(IEnumerable<string> names) => "{" + string.Join(", ", names.Order(StringComparer.Ordinal)) + "}";

    private static string List(IEnumerable<string> names) => "{" + string.Join(", ", names) + "}";
}

/// <summary>A sysfs attribute of <c>/sys/kernel/livepatch/PATCH</c> that only some kernels have, and the fact it gives.</summary>
/// <param name="Attribute">The attribute.</param>
/// <param name="Since">The first release that has it (Documentation/ABI/testing/sysfs-kernel-livepatch).</param>
/// <param name="Fact">The compared fact it gives, and whether that fact is a set or an order.</param>
/// <param name="Without">What is compared on a kernel without it.</param>
public sealed record KernelObservable(string Attribute, string Since, string Fact, string Without);

/// <summary>Which attributes the kernel under test has: decided from what the guest printed.</summary>
/// <param name="StackOrder">True when patches have a <c>stack_order</c> attribute (6.14 and later).</param>
/// <param name="Replace">True when patches have a <c>replace</c> attribute (6.11 and later).</param>
public sealed record Observability(bool StackOrder, bool Replace)
{
    /// <summary>The attributes some kernels lack, each compared where the kernel under test has it. The others (<c>enabled</c>, <c>transition</c>, <c>/proc/modules</c>, the <c>/proc</c> files) every kernel the harness runs has.</summary>
    public static IReadOnlyList<KernelObservable> Table { get; } =
    [
        new("replace", "6.11", "replace: the set of enabled patches, each with its replace flag",
            "a patch's replace flag is compared only through what its load replaces"),
        new("stack_order", "6.14", "order: the enabled patches in stack_order, a list",
            "the order of the enabled patches is compared only through the active code of shared functions"),
    ];

    /// <summary>Whether the kernel under test has the attribute.</summary>
    public bool Has(KernelObservable o) => o.Attribute switch
    {
        "replace" => Replace,
        "stack_order" => StackOrder,
        _ => false,
    };

    /// <summary>Reads it from the first livepatch directory any step saw; neither attribute when none was seen.</summary>
    public static Observability From(IEnumerable<StepObservation> steps)
    {
        foreach (var s in steps)
            foreach (var d in s.Livepatches)
                return new Observability(d.StackOrder is not null, d.Replace is not null);
        return new Observability(false, false);
    }
}
