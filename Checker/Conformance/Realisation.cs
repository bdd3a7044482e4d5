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

    /// <summary>The catalog realised.</summary>
    public Catalog Catalog { get; }

    /// <summary>Per patch, its module name (the patch name with every character kbuild would not keep in a module name turned into <c>_</c>).</summary>
    public ImmutableArray<string> ModuleNames { get; }

    /// <summary>Per model function (bit in <see cref="Catalog.Functions"/>), the pool function it maps onto: the one of the same name, else the next unused.</summary>
    public ImmutableArray<PoolFunction> Functions { get; }

    private Realisation(Catalog catalog, ImmutableArray<string> modules, ImmutableArray<PoolFunction> functions)
    {
        Catalog = catalog;
        ModuleNames = modules;
        Functions = functions;
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
        return new Realisation(catalog, [.. names], [.. mapped.Select(x => x!)]);
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
    /// version, <c>.replace</c> from the catalog.
    /// </remarks>
    public string ModuleSource(int patch)
    {
        var p = Catalog[patch];
        var module = ModuleNames[patch];
        var sb = new StringBuilder();
        sb.Append("// SPDX-License-Identifier: GPL-2.0\n");
        sb.Append($"// Patch '{p.Name}' of a klp-check catalog, generated by klp-check conform.\n");
        sb.Append("#include <linux/module.h>\n#include <linux/kernel.h>\n#include <linux/livepatch.h>\n#include <linux/seq_file.h>\n\n");
        var slots = new List<int>();
        for (var f = 0; f < Catalog.Functions.Length; f++)
            if ((Catalog.FunctionBits(patch) & (1UL << f)) != 0) slots.Add(f);
        foreach (var f in slots)
        {
            sb.Append($"static int klp_check_fn{f}(struct seq_file *m, void *v)\n{{\n");
            sb.Append($"\tseq_printf(m, \"%s\\n\", \"{Marker}{module}\");\n\treturn 0;\n}}\n\n");
        }
        sb.Append("static struct klp_func funcs[] = {\n");
        foreach (var f in slots) sb.Append($"\t{{ .old_name = \"{Functions[f].Symbol}\", .new_func = klp_check_fn{f}, }},\n");
        sb.Append("\t{ }\n};\n\n");
        sb.Append("static struct klp_object objs[] = {\n\t{ .funcs = funcs, },\n\t{ }\n};\n\n");
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

    /// <summary>The cache key of a module: a hash of the kernel release and the source, so a source built once is only booted afterwards.</summary>
    public static string Key(string kernelRelease, string source)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(kernelRelease + "\n" + source));
        return Convert.ToHexStringLower(hash.AsSpan(0, 16));
    }
}
