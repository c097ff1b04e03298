namespace Zsad.Listener.Tests.Support;

public static class Wait
{
    /// <summary>Polls until the condition holds; fails with <paramref name="what"/> when it does not within the timeout.</summary>
    public static async Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"timed out after {timeout.TotalSeconds:0.#} s waiting for {what}");
            await Task.Delay(50);
        }
    }
}
