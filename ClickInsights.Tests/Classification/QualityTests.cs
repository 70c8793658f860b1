using ClickInsights.Core.Demo;
using Xunit.Abstractions;

namespace ClickInsights.Tests.Classification;

/// <summary>
/// The quality bar of the classifier on labelled simulated worlds, each reduced to what a source carries.
/// Fails when quality drops below the figures.
/// </summary>
public sealed class QualityTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(SourceShape.SendGrid, 0.97, 0.005)]
    [InlineData(SourceShape.Mailgun, 0.97, 0.005)]
    [InlineData(SourceShape.Postmark, 0.97, 0.005)]
    [InlineData(SourceShape.Mailchimp, 0.95, 0.005)]
    [InlineData(SourceShape.ConstantContact, 0.90, 0.01)]
    public async Task Classifier_MeetsTheQualityBar_OnFilesInTheProvidersFormat(SourceShape shape, double minimumF1, double maximumRateError)
    {
        var result = await ClassifierEvaluation.EvaluateAsync(shape, ClassifierEvaluation.Worlds);
        output.WriteLine(result.ToString());

        Assert.True(result.Clicks > 1000, "the evaluation needs enough clicks to mean something");
        Assert.True(result.F1 >= minimumF1, $"F1 {result.F1:0.000} is below {minimumF1}");
        Assert.True(result.WorstRealRateError <= maximumRateError, $"real click rate off by {result.WorstRealRateError * 100:0.00} pp");
    }
}
