namespace Zsad.Host.Tests.Support;

/// <summary>Bounded polling: every wait in these tests ends, with a message saying what never happened.</summary>
public static class Wait
{
    public static async Task<T> ForAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, Func<string> what) where T : class
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await probe() is { } value)
                return value;
            await Task.Delay(250);
        }
        Assert.Fail($"timed out after {timeout.TotalSeconds:0} s: {what()}");
        return null!;
    }
}
