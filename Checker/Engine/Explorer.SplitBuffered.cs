using System.Runtime.CompilerServices;
using Klp.Check.Model;

namespace Klp.Check.Engine;

// The states of a split level the producing thread expanded (Explorer.Split.cs), as the search's
// thread takes them from the part's buffer in their place in the order: their refusals told,
// what it reads of them prefetched, and each recorded as AddSuccessors records a batch.
public sealed partial class Explorer
{
    private void TellRefusals(StateGraph g, SplitBuffer h, int i, int state)
    {
        if (h.RefusalFirst[i + 1] == h.RefusalFirst[i]) return;
        g.States.Read(state, out var source);
        for (var q = h.RefusalFirst[i]; q < h.RefusalFirst[i + 1]; q++) visitor!.OnRefusal(g, state, h.RefusedOps[q], source, h.RefusedAfter[q]);
    }

    // Prefetches what the search's thread reads first of a buffer's state's successors: their
    // operations, what the producer found of them, their prints, keys and what they replaced.
    private static void PrefetchBuffered(SplitBuffer h, int i)
    {
        var j = h.First[i];
        StateTable<StateKey, GraphStates>.Prefetch(ref h.First[i + 1]);
        StateTable<StateKey, GraphStates>.Prefetch(ref h.Ops[j]);
        StateTable<StateKey, GraphStates>.Prefetch(ref h.Known[j]);
        StateTable<StateKey, GraphStates>.Prefetch(ref h.Prints[j]);
        StateTable<StateKey, GraphStates>.Prefetch(ref Unsafe.AddByteOffset(ref h.Prints[j], 64));
        StateTable<StateKey, GraphStates>.Prefetch(ref h.Affected[j]);
        StateTable<StateKey, GraphStates>.Prefetch(ref Unsafe.AddByteOffset(ref h.Affected[j], 64));
        StateTable<StateKey, GraphStates>.Prefetch(ref h.Keys[j * h.Words]);
        StateTable<StateKey, GraphStates>.Prefetch(ref Unsafe.AddByteOffset(ref h.Keys[j * h.Words], 64));
        StateTable<StateKey, GraphStates>.Prefetch(ref Unsafe.AddByteOffset(ref h.Keys[j * h.Words], 128));
    }

    // Prefetches the states the unknown successors of a buffer's state will most likely be compared with.
    private void PrefetchUnknownCandidates(StateGraph g, SplitBuffer h, int i)
    {
        for (var j = h.First[i]; j < h.First[i + 1]; j++)
        {
            if (toldOf[h.Ops[j]]) PrefetchState(ref h.Successors[j]);
            if (h.Known[j] != -1) continue;
            var id = search.Table.AtHome(h.Prints[j]);
            if (id >= 0) g.States.Prefetch(id);
        }
    }

    // Records a buffer's state as AddSuccessors records a batch, the successors the producer found
    // by their ids, and those equal to an earlier successor of the part by the id that one got.
    // Each successor looked up is given its id in Known, for those after it that equal it; one
    // the state cap cut off keeps -1, and those are looked up again, as the sequential search does.
    private void RecordState(StateGraph g, SplitBuffer h, int i, int from)
    {
        var depth = g.Depth[from];
        var sourceRead = false;
        KernelState source = default;
        for (var j = h.First[i]; j < h.First[i + 1]; j++)
        {
            var op = h.Ops[j];
            var to = h.Known[j];
            if (to < -1)
            {
                to = h.Known[SplitBuffer.Earlier(to)];
                SplitRepeats++;
            }
            if (to < 0)
            {
                to = search.Reach(from, op, depth, h.Key(j), h.Prints[j], out var added);
                h.Known[j] = to;
                if (to < 0) continue;
                if (added) visitor?.OnState(g, to, h.Successors[j]);
            }
            g.AddEdge(from, to, op);
            if (!toldOf[op]) continue;
            if (!sourceRead)
            {
                g.States.Read(from, out source);
                sourceRead = true;
            }
            visitor!.OnTransition(g, new Edge(from, to, op, h.Affected[j]), source, h.Successors[j]);
        }
    }
}
