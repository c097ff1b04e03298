namespace Zsad.Host.Configuration;

/// <summary>A configuration value is wrong; the message starts with its key so an operator knows what to fix.</summary>
public sealed class ZsadConfigurationException(string key, string why) : Exception($"configuration {key}: {why}")
{
    public string Key { get; } = key;
}
