using Zsad.Training.Cli;

namespace Zsad.Training.Tests;

public sealed class CommandTests
{
    private static (int Code, string Error) Run(params string[] args)
    {
        var error = new StringWriter();
        return (TrainCommand.Run(args, new StringWriter(), error), error.ToString());
    }

    [Fact]
    public void Missing_bundle_is_a_usage_error_naming_the_option()
    {
        var (code, error) = Run("--data", "d", "--out", "o");
        Assert.Equal(2, code);
        Assert.Contains("--bundle is required", error);
    }

    [Fact]
    public void A_non_numeric_learning_rate_is_a_usage_error()
    {
        var (code, error) = Run("--bundle", "b", "--data", "d", "--out", "o", "--lr", "fast");
        Assert.Equal(2, code);
        Assert.Contains("--lr 'fast' is not a number", error);
    }

    [Fact]
    public void An_unknown_argument_is_a_usage_error()
    {
        var (code, error) = Run("--bundle", "b", "--data", "d", "--out", "o", "--gpu");
        Assert.Equal(2, code);
        Assert.Contains("unknown argument '--gpu'", error);
    }

    [Theory]
    [InlineData("--epochs", "0", "--epochs 0: must be at least 1")]
    [InlineData("--batch", "0", "--batch 0: must be at least 1")]
    [InlineData("--lr", "-1", "--lr -1: must be a positive number")]
    [InlineData("--val-fraction", "1.5", "--val-fraction 1.5: must be between 0 and 1")]
    public void Out_of_range_options_are_refused_before_any_work(string option, string value, string message)
    {
        var (code, error) = Run("--bundle", "/nonexistent", "--data", "d", "--out", "o", option, value);
        Assert.Equal(1, code);
        Assert.Contains(message, error);
    }

    [Fact]
    public void A_missing_bundle_folder_is_reported_by_the_bundle_loader()
    {
        var (code, error) = Run("--bundle", "/nonexistent/bundle", "--data", "d", "--out", "o");
        Assert.Equal(1, code);
        Assert.Contains("/nonexistent/bundle", error);
    }
}
