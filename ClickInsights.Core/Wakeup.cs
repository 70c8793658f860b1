namespace ClickInsights.Core;

/// <summary>
/// Wakes a background loop that otherwise waits for its next poll: work was queued here that should start now. Woken
/// twice before it looks, the loop runs once.
/// </summary>
public class Wakeup
{
    private readonly SemaphoreSlim _wake = new(0, 1);

    public void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already woken.
        }
    }

    /// <summary>True when woken, false when the timeout came first.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _wake.WaitAsync(timeout, cancellationToken);
}
