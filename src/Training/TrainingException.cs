namespace Zsad.Training;

/// <summary>Bad training input or a setup that cannot be trained; the message names the problem.</summary>
public sealed class TrainingException(string message) : Exception(message);
