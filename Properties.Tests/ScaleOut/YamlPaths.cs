using YamlDotNet.RepresentationModel;

namespace Klp.Check.Tests.ScaleOut;

/// <summary>Reading YAML nodes by path: mapping keys as strings, sequence positions as numbers.</summary>
public static class YamlPaths
{
    /// <summary>The node at a path, or null when it is missing.</summary>
    public static YamlNode? At(this YamlNode node, params object[] path)
    {
        YamlNode? current = node;
        foreach (var key in path)
            current = (current, key) switch
            {
                (YamlMappingNode m, string k) => m.Children.TryGetValue(new YamlScalarNode(k), out var value) ? value : null,
                (YamlSequenceNode s, int i) => i < s.Children.Count ? s.Children[i] : null,
                _ => null,
            };
        return current;
    }

    /// <summary>The text of the scalar at a path, or null when there is none.</summary>
    public static string? Text(this YamlNode node, params object[] path) => (node.At(path) as YamlScalarNode)?.Value;

    /// <summary>The mappings of the sequence at a path; none when it is missing.</summary>
    public static IEnumerable<YamlMappingNode> Items(this YamlNode node, params object[] path) =>
        (node.At(path) as YamlSequenceNode)?.Children.OfType<YamlMappingNode>() ?? [];

    /// <summary>The texts of the sequence of scalars at a path; none when it is missing.</summary>
    public static IEnumerable<string> Scalars(this YamlNode node, params object[] path) =>
        (node.At(path) as YamlSequenceNode)?.Children.OfType<YamlScalarNode>().Select(s => s.Value ?? "") ?? [];

    /// <summary>The entries of the mapping at a path, keys as text; none when it is missing.</summary>
    public static IEnumerable<(string Key, YamlNode Value)> Entries(this YamlNode node, params object[] path) =>
        (node.At(path) as YamlMappingNode)?.Children.Select(e => (((YamlScalarNode)e.Key).Value ?? "", e.Value)) ?? [];
}
