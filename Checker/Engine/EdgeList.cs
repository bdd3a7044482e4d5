using System.Collections;

namespace Klp.Check.Engine;

/// <summary>The accepted transitions of a graph as <see cref="Edge"/> values, grouped by source state; what each replaced is recomputed as it is read.</summary>
/// <param name="graph">The graph whose transitions these are.</param>
public sealed class EdgeList(StateGraph graph) : IReadOnlyCollection<Edge>
{
    /// <summary>The number of transitions; an <see cref="OverflowException"/> past <see cref="int.MaxValue"/> (see <see cref="StateGraph.EdgeCount"/>).</summary>
    public int Count => checked((int)graph.EdgeCount);

    /// <summary>The transitions in order.</summary>
    public IEnumerator<Edge> GetEnumerator()
    {
        var states = graph.States.Count;
        for (var s = 0; s < states; s++)
        {
            var end = graph.FirstEdge(s + 1);
            for (var e = graph.FirstEdge(s); e < end; e++)
            {
                var op = graph.OpOf(s, e);
                yield return new Edge(s, graph.TargetOf(e), op, graph.AffectedBy(s, op));
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
