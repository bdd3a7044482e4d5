using FsCheck.Fluent;
using Klp.Check.Inputs;

namespace Klp.Check.Tests.Inputs;

public class GeneratorsTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 2)]
    [InlineData(2, 2)]
    public void Catalogs_FewPatches_GivesCatalogsOfThatSize(int min, int max)
    {
        var catalogs = Generators.Catalogs(min, max).Sample(200, 10);

        Assert.All(catalogs, c => Assert.InRange(c.Count, min, max));
        Assert.Contains(catalogs, c => c.Count == min);
    }
}
