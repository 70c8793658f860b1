using ClickInsights.Core.Classification;
using ClickInsights.Web.Components.Pages.Settings;

namespace ClickInsights.Tests.Web;

/// <summary>The settings form: every field says what it does, and every weight and threshold of the classifier is on it.</summary>
public sealed class SettingsFieldsTests
{
    [Fact]
    public void EveryField_HasAHelpText() =>
        Assert.All(SettingsFields.All, f => Assert.False(string.IsNullOrWhiteSpace(f.Help), $"{f.Label} has no help text"));

    [Fact]
    public void Problem_IsWrittenWithTheFieldsLabel_AndNamesTheFieldToMark()
    {
        var (message, field) = SettingsFields.Explain((ClassifierSettings.Default with { LaterIsolatedClickWeight = 15 }).Problem());

        Assert.Equal(nameof(ClassifierSettings.LaterIsolatedClickWeight), field);
        Assert.Equal("\"Weight: a single click, later on (negative)\" speaks for a person: it must lie between -100 and 0 (it is 15).", message);
        Assert.Equal((null, null), SettingsFields.Explain(null));
        // A setting that is not on the form keeps its name, and no field is marked for it.
        var hidden = SettingsFields.Explain((ClassifierSettings.Default with { LateMinuteBurstWeight = -5 }).Problem());
        Assert.Equal((null as string, "LateMinuteBurstWeight speaks against a person"), (hidden.Field, hidden.Message![..45]));
    }

    [Fact]
    public void DomainShare_IsShownAndTypedAsAPercentage()
    {
        var name = nameof(ClassifierSettings.DomainPatternShare);

        Assert.Equal(30, SettingsFields.Get(ClassifierSettings.Default, name));
        Assert.Equal(0.45, SettingsFields.Set(ClassifierSettings.Default, name, 45).DomainPatternShare, 6);
        Assert.True(SettingsFields.IsInteger(name));
        var (message, field) = SettingsFields.Explain(SettingsFields.Set(ClassifierSettings.Default, name, 150).Problem());
        Assert.Equal(("\"Domain: % of its recipients clicking early\" must lie between 1 and 100.", name), (message, field));
    }

    [Fact]
    public void EveryField_ReadsAndWritesItsSetting()
    {
        foreach (var field in SettingsFields.All)
        {
            var changed = SettingsFields.Set(ClassifierSettings.Default, field.Name, SettingsFields.Get(ClassifierSettings.Default, field.Name) + 1);
            Assert.NotEqual(ClassifierSettings.Default.Hash(), changed.Hash());
        }
    }
}
