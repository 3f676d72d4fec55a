using Svsm.Bindings.Spec.Common;
using Xunit;

namespace Svsm.Bindings.Spec.Tests;

/// <summary>The scopes names are made unique in: a repeat gets 2, 3, ...; the same whether the scope is small or large.</summary>
public sealed class NameScopeTests
{
    [Fact]
    public void RepeatsAreNumberedFromTwo()
    {
        var scope = new NameScope("Size");
        Assert.Equal("Size2", scope.Unique("Size"));
        Assert.Equal("Size3", scope.Unique("Size"));
        Assert.Equal("Flags", scope.Unique("Flags"));
        Assert.Equal("Flags2", scope.Unique("Flags"));
    }

    [Fact]
    public void AnIgnoreCaseScopeTreatsCaseAsTheSameName()
    {
        var scope = new NameScope(ignoreCase: true);
        Assert.Equal("enabled", scope.Unique("enabled"));
        Assert.Equal("Enabled2", scope.Unique("Enabled"));
        Assert.False(scope.Add("ENABLED2"));
        Assert.Equal("size", new NameScope().Unique("size"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ALargeScopeKeepsEveryName(bool ignoreCase)
    {
        // Past the names a scope holds in a list it moves them to a hash set; nothing taken before is forgotten.
        var scope = new NameScope(ignoreCase);
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(i == 0 ? "field" : "field" + (i + 1), scope.Unique("field"));
        }

        for (var i = 0; i < 100; i++)
        {
            Assert.True(scope.Contains(i == 0 ? "field" : "field" + (i + 1)));
        }

        Assert.Equal(ignoreCase, scope.Contains("FIELD50"));
        Assert.Equal("field101", scope.Unique("field"));
    }
}
