using Zsad.Training.Cli;

namespace Zsad.Training.Tests;

public sealed class CommandTests
{
    // Parsing (unknown, missing and non-numeric options) is the zsad command table's: tests/Zsad.Dicom.Tests/CommandUsageTests.
    private static (int Code, string Error) Run(TrainingOptions options, string bundle = "/nonexistent")
    {
        var error = new StringWriter();
        return (TrainCommand.Run(bundle, "d", "o", options, new StringWriter(), error), error.ToString());
    }

    [Theory]
    [InlineData("epochs", "--epochs 0: must be at least 1")]
    [InlineData("batch", "--batch 0: must be at least 1")]
    [InlineData("lr", "--lr -1: must be a positive number")]
    [InlineData("val-fraction", "--val-fraction 1.5: must be between 0 and 1")]
    public void Out_of_range_options_are_refused_before_any_work(string option, string message)
    {
        var options = option switch
        {
            "epochs" => new TrainingOptions { Epochs = 0 },
            "batch" => new TrainingOptions { BatchSize = 0 },
            "lr" => new TrainingOptions { LearningRate = -1 },
            _ => new TrainingOptions { ValidationFraction = 1.5 },
        };
        var (code, error) = Run(options);
        Assert.Equal(1, code);
        Assert.Contains(message, error);
    }

    [Fact]
    public void A_missing_bundle_folder_is_reported_by_the_bundle_loader()
    {
        var (code, error) = Run(new TrainingOptions(), bundle: "/nonexistent/bundle");
        Assert.Equal(1, code);
        Assert.Contains("/nonexistent/bundle", error);
    }
}
