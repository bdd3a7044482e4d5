using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using Klp.Check.Model;

namespace Klp.Check.Conformance;

/// <summary>A vmlinux function whose output user space reads from one <c>/proc</c> file: a function the harness can patch and observe.</summary>
/// <param name="Symbol">The function, <c>int f(struct seq_file *m, void *v)</c>.</param>
/// <param name="ProcFile">The file whose first line it prints.</param>
public sealed record PoolFunction(string Symbol, string ProcFile);

/// <summary>The observable functions model functions are mapped onto, in the order they are handed out.</summary>
/// <remarks>
/// Each is a <c>proc_create_single()</c> show function of fs/proc/*.c, kernel/exec_domain.c or
/// fs/filesystems.c, called through a pointer (so never inlined) and unique in vmlinux. None is
/// read by the guest's own script except through <c>head</c> of its file.
/// </remarks>
public static class FunctionPool
{
    /// <summary>The pool, in order.</summary>
    public static ImmutableArray<PoolFunction> Functions { get; } =
    [
        new("cmdline_proc_show", "/proc/cmdline"),
        new("version_proc_show", "/proc/version"),
        new("loadavg_proc_show", "/proc/loadavg"),
        new("meminfo_proc_show", "/proc/meminfo"),
        new("uptime_proc_show", "/proc/uptime"),
        new("show_softirqs", "/proc/softirqs"),
        new("show_stat", "/proc/stat"),
        new("execdomains_proc_show", "/proc/execdomains"),
    ];
}

/// <summary>A catalog made into livepatch modules: module names, the pool function each model function maps onto, and each patch's C source.</summary>
public sealed class Realisation
{
    /// <summary>The longest module name the kernel takes (<c>MODULE_NAME_LEN</c> is 56 with the terminating NUL).</summary>
    public const int MaxModuleName = 55;

    /// <summary>The text a replacement prints before its patch's module name.</summary>
    public const string Marker = "patched-by-";

    /// <summary>The name of the module that holds transitions open (<see cref="BusyModuleSource"/>).</summary>
    public const string BusyModule = "klp_check_busy";

    /// <summary>The most patches a realisation with <see cref="Busy"/> functions has: one busy function each.</summary>
    public const int MaxBusyPatches = 16;

    /// <summary>The catalog realised.</summary>
    public Catalog Catalog { get; }

    /// <summary>True when each patch also patches its own function of <see cref="BusyModule"/>, so a task sleeping there holds the patch's transitions open.</summary>
    public bool Busy { get; }

    /// <summary>Per patch, its module name (the patch name with every character kbuild would not keep in a module name turned into <c>_</c>).</summary>
    public ImmutableArray<string> ModuleNames { get; }

    /// <summary>Per model function (bit in <see cref="Catalog.Functions"/>), the pool function it maps onto: the one of the same name, else the next unused.</summary>
    public ImmutableArray<PoolFunction> Functions { get; }

    /// <summary>True when a function the patch names once gets the <c>old_sympos</c> it is written with (<see cref="WithLiteralSympos"/>).</summary>
    public bool LiteralSympos { get; }

    private Realisation(Catalog catalog, ImmutableArray<string> modules, ImmutableArray<PoolFunction> functions, bool busy, bool literalSympos = false)
    {
        Catalog = catalog;
        ModuleNames = modules;
        Functions = functions;
        Busy = busy;
        LiteralSympos = literalSympos;
    }

    /// <summary>The same catalog with every function's <c>old_sympos</c> as the catalog writes it (<c>f@1</c> gets <c>.old_sympos = 1</c> even where the patch names <c>f</c> once): a kernel whose <c>klp_find_func()</c> compares sympos exactly then sees <c>f</c> and <c>f@1</c> in two patches as two functions (<see cref="IdentityProbe"/>).</summary>
    public Realisation WithLiteralSympos() => new(Catalog, ModuleNames, Functions, Busy, literalSympos: true);

    /// <summary>The same catalog with a busy function in every patch, for two-phase traces; null with the reason when it cannot have one.</summary>
    public Realisation? WithBusy(out string? why)
    {
        why = Catalog.Count > MaxBusyPatches ? $"the catalog has {Catalog.Count} patches; the busy module has functions for {MaxBusyPatches}"
            : ModuleNames.Contains(BusyModule) ? $"a patch would be module '{BusyModule}', the name of the busy module"
            : null;
        return why is null ? new Realisation(Catalog, ModuleNames, Functions, busy: true, LiteralSympos) : null;
    }

    /// <summary>Realises a catalog, or returns null with the reason it cannot be.</summary>
    public static Realisation? TryCreate(Catalog catalog, out string? why)
    {
        why = null;
        var pool = FunctionPool.Functions;
        if (catalog.Functions.Length > pool.Length)
        {
            why = $"the catalog patches {catalog.Functions.Length} functions, the pool of observable vmlinux functions has {pool.Length}";
            return null;
        }
        var names = new List<string>();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in catalog.Patches)
        {
            if (p.SetSource != SetSource.Fixed)
            {
                why = $"patch '{p.Name}' has sets chosen at load time ({p.SetsText}), which upstream livepatch does not have";
                return null;
            }
            if (p.States.Any(s => s.BlockDisable))
            {
                why = $"patch '{p.Name}' declares a block_disable state, which upstream's struct klp_state does not have";
                return null;
            }
            var module = ModuleName(p.Name);
            if (module.Length > MaxModuleName)
            {
                why = $"patch '{p.Name}': a module name has at most {MaxModuleName} characters";
                return null;
            }
            if (seen.TryGetValue(module, out var other))
            {
                why = $"patches '{other}' and '{p.Name}' would both be module '{module}'";
                return null;
            }
            seen[module] = p.Name;
            names.Add(module);
        }
        if (catalog.AddSetsVariants.Length > 1)
        {
            why = "the catalog passes add_sets load parameters, which upstream livepatch does not have";
            return null;
        }
        // A function named after a pool function maps onto it; the others take the rest in order.
        var mapped = new PoolFunction?[catalog.Functions.Length];
        for (var f = 0; f < mapped.Length; f++)
        {
            var id = catalog.Functions[f];
            if (id.Object == FunctionId.Vmlinux && id.Sympos <= 1)
                mapped[f] = pool.FirstOrDefault(x => x.Symbol == id.Name && !mapped.Contains(x));
        }
        var free = new Queue<PoolFunction>(pool.Where(x => !mapped.Contains(x)));
        for (var f = 0; f < mapped.Length; f++) mapped[f] ??= free.Dequeue();
        return new Realisation(catalog, [.. names], [.. mapped.Select(x => x!)], busy: false);
    }

    /// <summary>The module name kbuild gives a source file named after a patch: letters, digits and <c>_</c>; anything else becomes <c>_</c>.</summary>
    public static string ModuleName(string patch)
    {
        var sb = new StringBuilder(patch.Length);
        foreach (var ch in patch) sb.Append(char.IsAsciiLetterOrDigit(ch) || ch == '_' ? ch : '_');
        return sb.ToString();
    }

    /// <summary>The patch whose module has this name, or -1.</summary>
    public int PatchOfModule(string module) => ModuleNames.IndexOf(module);

    /// <summary>The livepatch module of one patch, as C source for an out-of-tree kbuild.</summary>
    /// <remarks>
    /// Shaped after samples/livepatch/livepatch-sample.c and the selftests'
    /// tools/testing/selftests/livepatch/test_modules/test_klp_state*.c: one vmlinux object
    /// (an empty <c>funcs</c> list when the patch patches nothing), the states with id and
    /// version, <c>.replace</c> from the catalog. With <see cref="Busy"/>, a second object,
    /// <see cref="BusyModule"/>, whose busy function for this patch the patch replaces with one
    /// that sleeps the same way, as test_klp_callbacks_demo.c patches busymod_work_func of
    /// test_klp_callbacks_busy.c.
    /// </remarks>
    public string ModuleSource(int patch)
    {
        var p = Catalog[patch];
        var module = ModuleNames[patch];
        var sb = new StringBuilder();
        sb.Append("// SPDX-License-Identifier: GPL-2.0\n");
        sb.Append($"// Patch '{Export.Promela.CommentText(p.Name)}' of a klp-check catalog, generated by klp-check conform.\n");
        sb.Append("#include <linux/module.h>\n#include <linux/kernel.h>\n#include <linux/livepatch.h>\n#include <linux/seq_file.h>\n\n");
        var entries = Entries(patch);
        foreach (var (_, _, fn) in entries)
        {
            sb.Append($"static int {fn}(struct seq_file *m, void *v)\n{{\n");
            sb.Append($"\tseq_printf(m, \"%s\\n\", \"{Marker}{module}\");\n\treturn 0;\n}}\n\n");
        }
        if (Busy)
        {
            sb.Append("#include <linux/delay.h>\n\nbool klp_check_busy_held(int fn);\n\n");
            sb.Append($"static noinline void klp_check_busy_new(void)\n{{\n\twhile (klp_check_busy_held({patch}))\n\t\tmsleep(10);\n}}\n\n");
            sb.Append($"static struct klp_func busy_funcs[] = {{\n\t{{ .old_name = \"klp_check_busy_fn{patch}\", .new_func = klp_check_busy_new, }},\n\t{{ }}\n}};\n\n");
        }
        sb.Append("static struct klp_func funcs[] = {\n");
        foreach (var (f, sympos, fn) in entries)
            sb.Append($"\t{{ .old_name = \"{Functions[f].Symbol}\", .new_func = {fn},{(sympos is { } k ? $" .old_sympos = {k}," : "")} }},\n");
        sb.Append("\t{ }\n};\n\n");
        sb.Append("static struct klp_object objs[] = {\n\t{ .funcs = funcs, },\n");
        if (Busy) sb.Append($"\t{{ .name = \"{BusyModule}\", .funcs = busy_funcs, }},\n");
        sb.Append("\t{ }\n};\n\n");
        if (p.States.Length > 0)
        {
            sb.Append("static struct klp_state states[] = {\n");
            foreach (var s in p.States) sb.Append($"\t{{ .id = {s.Id}, .version = {s.Version}, }},\n");
            sb.Append("\t{ }\n};\n\n");
        }
        sb.Append("static struct klp_patch patch = {\n\t.mod = THIS_MODULE,\n\t.objs = objs,\n");
        if (p.States.Length > 0) sb.Append("\t.states = states,\n");
        sb.Append($"\t.replace = {(p.Replace ? "true" : "false")},\n}};\n\n");
        sb.Append("static int __init klp_check_init(void)\n{\n\treturn klp_enable_patch(&patch);\n}\n\n");
        sb.Append("static void __exit klp_check_exit(void)\n{\n}\n\n");
        sb.Append("module_init(klp_check_init);\nmodule_exit(klp_check_exit);\nMODULE_LICENSE(\"GPL\");\nMODULE_INFO(livepatch, \"Y\");\n");
        return sb.ToString();
    }

    // The klp_func entries of a patch: per pool function, in bit order, its replacement and the
    // old_sympos to write. A function the patch names once is one entry without old_sympos: the
    // pool's symbols are unique, and traces are compared under normalized identity, so a kernel
    // whose klp_find_func() still compares sympos exactly must not see f and f@1 in two patches
    // (only the identity probe, with LiteralSympos, shows it that). One it names twice (f and
    // f@1) is one entry per spelling with its sympos and a replacement of its own: the module
    // the model refuses with duplicate-function.
    private List<(int Slot, int? Sympos, string Function)> Entries(int patch)
    {
        var entries = new List<(int, int?, string)>();
        var funcs = Catalog[patch].Funcs;
        for (var f = 0; f < Catalog.Functions.Length; f++)
        {
            if ((Catalog.FunctionBits(patch) & (1UL << f)) == 0) continue;
            var spellings = funcs.Where(g => g.Normalized == Catalog.Functions[f].Normalized).ToList();
            if (spellings.Count == 1) entries.Add((f, LiteralSympos && spellings[0].Sympos != 0 ? spellings[0].Sympos : null, $"klp_check_fn{f}"));
            else
                for (var k = 0; k < spellings.Count; k++)
                    entries.Add((f, spellings[k].Sympos, k == 0 ? $"klp_check_fn{f}" : $"klp_check_fn{f}_{k}"));
        }
        return entries;
    }

    /// <summary>The busy module, as C source: two kernel threads that sleep inside a busy function when user space asks, and report what each of them reads from the pool's files.</summary>
    /// <remarks>
    /// Modelled on lib/livepatch/test_klp_callbacks_busy.c (its worker sleeps in
    /// busymod_work_func while <c>block_transition</c> is set). Function <c>klp_check_busy_fnN</c>
    /// belongs to patch N; a transition of that patch cannot complete while a task sleeps in the
    /// code it checks (<c>klp_check_stack_func()</c>, kernel/livepatch/transition.c): for a
    /// patching transition the previous implementation, for an unpatching one the patch's own.
    /// Parameters under /sys/module/klp_check_busy/parameters: <c>hold_a</c>, <c>hold_b</c> (1 + the
    /// function thread a or b sleeps in, 0 releases it), <c>holding_a</c>, <c>holding_b</c> (1 + the
    /// function it sleeps in, 0 outside), <c>probe</c> (a new value makes each sleeping thread read
    /// the first line of every pool file into <c>seen_a</c>, <c>seen_b</c>, separated by <c>|</c>, then
    /// set <c>probed_a</c>, <c>probed_b</c> to it). A thread runs the code of its own
    /// <c>patch_state</c> (<c>klp_ftrace_handler()</c>, kernel/livepatch/patch.c).
    /// </remarks>
    public static string BusyModuleSource()
    {
        var sb = new StringBuilder();
        sb.Append("// SPDX-License-Identifier: GPL-2.0\n");
        sb.Append("// Holds livepatch transitions open for klp-check conform, after lib/livepatch/test_klp_callbacks_busy.c.\n");
        sb.Append("#include <linux/module.h>\n#include <linux/kernel.h>\n#include <linux/kthread.h>\n#include <linux/delay.h>\n#include <linux/fs.h>\n#include <linux/sched.h>\n#include <linux/string.h>\n\n");
        sb.Append("""
            static int hold_a, hold_b, holding_a, holding_b, probe, probed_a, probed_b;
            module_param(hold_a, int, 0644);
            module_param(hold_b, int, 0644);
            module_param(holding_a, int, 0444);
            module_param(holding_b, int, 0444);
            module_param(probe, int, 0644);
            module_param(probed_a, int, 0444);
            module_param(probed_b, int, 0444);
            static char seen_a[1024], seen_b[1024];
            module_param_string(seen_a, seen_a, sizeof(seen_a), 0444);
            module_param_string(seen_b, seen_b, sizeof(seen_b), 0444);

            static const char *const files[] = {

            """);
        foreach (var f in FunctionPool.Functions) sb.Append($"\t\"{f.ProcFile}\",\n");
        sb.Append("""
            };

            static struct task_struct *threads[2];

            static void read_files(char *out, size_t size)
            {
            	size_t at = 0;
            	int i;

            	for (i = 0; i < ARRAY_SIZE(files); i++) {
            		char line[81];
            		ssize_t n = -1;
            		loff_t pos = 0;
            		struct file *f = filp_open(files[i], O_RDONLY, 0);

            		if (!IS_ERR(f)) {
            			n = kernel_read(f, line, sizeof(line) - 1, &pos);
            			filp_close(f, NULL);
            		}
            		line[n < 0 ? 0 : n] = 0;
            		line[strcspn(line, "\n|")] = 0;
            		at += scnprintf(out + at, size - at, "%s%s", i ? "|" : "", line);
            	}
            }

            /* Called in a loop by every implementation of busy function fn: true while the thread is to sleep there. */
            bool klp_check_busy_held(int fn)
            {
            	int t = current == threads[0] ? 0 : current == threads[1] ? 1 : -1;
            	int *hold = t ? &hold_b : &hold_a, *holding = t ? &holding_b : &holding_a;
            	int *probed = t ? &probed_b : &probed_a;
            	int p = READ_ONCE(probe);

            	if (t < 0)
            		return false;
            	if (p != READ_ONCE(*probed)) {
            		read_files(t ? seen_b : seen_a, sizeof(seen_a));
            		smp_wmb();
            		WRITE_ONCE(*probed, p);
            	}
            	WRITE_ONCE(*holding, fn + 1);
            	return READ_ONCE(*hold) == fn + 1 && !kthread_should_stop();
            }
            EXPORT_SYMBOL_GPL(klp_check_busy_held);


            """);
        for (var n = 0; n < MaxBusyPatches; n++)
            sb.Append($"void klp_check_busy_fn{n}(void);\nnoinline void klp_check_busy_fn{n}(void)\n{{\n\twhile (klp_check_busy_held({n}))\n\t\tmsleep(10);\n}}\n\n");
        sb.Append("static void (*const busy_fns[])(void) = {\n");
        for (var n = 0; n < MaxBusyPatches; n++) sb.Append($"\tklp_check_busy_fn{n},\n");
        sb.Append("""
            };

            static int klp_check_busy_thread(void *data)
            {
            	long t = (long)data;
            	int *hold = t ? &hold_b : &hold_a, *holding = t ? &holding_b : &holding_a;

            	while (!kthread_should_stop()) {
            		int fn = READ_ONCE(*hold) - 1;

            		if (fn >= 0 && fn < ARRAY_SIZE(busy_fns)) {
            			busy_fns[fn]();
            			WRITE_ONCE(*holding, 0);
            		} else {
            			msleep(10);
            		}
            	}
            	return 0;
            }

            static int __init klp_check_busy_init(void)
            {
            	long t;

            	for (t = 0; t < 2; t++) {
            		threads[t] = kthread_create(klp_check_busy_thread, (void *)t, "klp_check_busy_%c", (int)('a' + t));
            		if (IS_ERR(threads[t])) {
            			int err = PTR_ERR(threads[t]);

            			if (t)
            				kthread_stop(threads[0]);
            			return err;
            		}
            	}
            	wake_up_process(threads[0]);
            	wake_up_process(threads[1]);
            	return 0;
            }

            static void __exit klp_check_busy_exit(void)
            {
            	WRITE_ONCE(hold_a, 0);
            	WRITE_ONCE(hold_b, 0);
            	kthread_stop(threads[0]);
            	kthread_stop(threads[1]);
            }

            module_init(klp_check_busy_init);
            module_exit(klp_check_busy_exit);
            MODULE_LICENSE("GPL");

            """);
        return sb.ToString();
    }

    /// <summary>The cache key of a module: a hash of the kernel release and the source, so a source built once is only booted afterwards.</summary>
    public static string Key(string kernelRelease, string source)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(kernelRelease + "\n" + source));
        return Convert.ToHexStringLower(hash.AsSpan(0, 16));
    }
}
