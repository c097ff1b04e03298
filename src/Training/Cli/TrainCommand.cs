namespace Zsad.Training.Cli;

/// <summary>`zsad train`: its options are declared and parsed by the zsad command table (src/Zsad/Program.cs).</summary>
public static class TrainCommand
{
    /// <returns>0 on success, 1 when training fails (one line on <paramref name="error"/>).</returns>
    public static int Run(string bundle, string data, string outDirectory, TrainingOptions options, TextWriter output, TextWriter error)
    {
        try
        {
            new AdapterTrainer(options, output).Run(bundle, data, outDirectory);
            return 0;
        }
        catch (Exception ex) when (ex is TrainingException or Zsad.Inference.Bundles.BundleException)
        {
            error.WriteLine($"zsad train: {ex.Message}");
            return 1;
        }
    }
}
