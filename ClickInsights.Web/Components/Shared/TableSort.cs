namespace ClickInsights.Web.Components.Shared;

/// <summary>
/// Which column a table is sorted by, and which way. The headers (<see cref="SortHeader"/>) are buttons a keyboard
/// reaches, each telling assistive technology through <c>aria-sort</c> whether its column is the one sorted.
/// </summary>
public interface ITableSort
{
    string Key { get; }

    bool Descending { get; }

    /// <summary>Sorts by this column; a second press on the same column turns the order round.</summary>
    void Toggle(string key);
}

/// <summary>A table's sort over rows of one type: the columns by key, each with the value it sorts by.</summary>
public sealed class TableSort<TRow>(IReadOnlyDictionary<string, Func<TRow, object?>> columns, string key, bool descending) : ITableSort
{
    public string Key { get; private set; } = key;

    public bool Descending { get; private set; } = descending;

    public void Toggle(string key)
    {
        if (!columns.ContainsKey(key))
        {
            throw new ArgumentException($"No column '{key}' to sort by.", nameof(key));
        }
        Descending = key == Key ? !Descending : false;
        Key = key;
    }

    public IEnumerable<TRow> Apply(IEnumerable<TRow> rows)
    {
        var by = columns[Key];
        return Descending ? rows.OrderByDescending(by) : rows.OrderBy(by);
    }
}
