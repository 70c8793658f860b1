namespace ClickInsights.Core;

/// <summary>Reports on the calling thread, right away (<see cref="Progress{T}"/> would post to a context, late and out of order).</summary>
internal sealed class RelayProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
