using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace ClickInsights.Core.Data;

/// <summary>
/// A prepared SQLite statement driven through the native API: binding a value costs no boxing and no parameter
/// objects, which is what the importer's millions of rows need. Runs inside whatever transaction the connection
/// has open. Parameters are numbered from 1 in the order of the SQL's <c>?</c>.
/// </summary>
internal sealed class SqliteStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;

    public SqliteStatement(SqliteConnection connection, string sql)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        var rc = raw.sqlite3_prepare_v2(_db, sql, out _statement);
        SqliteException.ThrowExceptionForRC(rc, _db);
    }

    public SqliteStatement Bind(int index, long value)
    {
        raw.sqlite3_bind_int64(_statement, index, value);
        return this;
    }

    public SqliteStatement Bind(int index, long? value)
    {
        if (value is { } v)
        {
            raw.sqlite3_bind_int64(_statement, index, v);
        }
        else
        {
            raw.sqlite3_bind_null(_statement, index);
        }
        return this;
    }

    public SqliteStatement Bind(int index, string? value)
    {
        if (value is null)
        {
            raw.sqlite3_bind_null(_statement, index);
        }
        else if (value.Length is > 0 and <= 256)
        {
            // Encoded on the stack: SQLite copies the text, so a million rows make no garbage. (Not for empty text: an
            // empty span has no address, and SQLite would store NULL.)
            Span<byte> utf8 = stackalloc byte[value.Length * 3];
            raw.sqlite3_bind_text(_statement, index, utf8[..System.Text.Encoding.UTF8.GetBytes(value, utf8)]);
        }
        else
        {
            raw.sqlite3_bind_text(_statement, index, value);
        }
        return this;
    }

    public SqliteStatement BindBlob(int index, ReadOnlySpan<byte> value)
    {
        raw.sqlite3_bind_blob(_statement, index, value);
        return this;
    }

    /// <summary>Runs the statement to its end and resets it for the next row.</summary>
    public void Execute()
    {
        var rc = raw.sqlite3_step(_statement);
        raw.sqlite3_reset(_statement);
        if (rc != raw.SQLITE_DONE && rc != raw.SQLITE_ROW)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
    }

    /// <summary>Steps to the next row of a query; false at its end (the statement is then reset).</summary>
    public bool Step()
    {
        var rc = raw.sqlite3_step(_statement);
        if (rc == raw.SQLITE_ROW)
        {
            return true;
        }
        raw.sqlite3_reset(_statement);
        if (rc != raw.SQLITE_DONE)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
        return false;
    }

    /// <summary>Stops a query early, ready to run again.</summary>
    public void Reset() => raw.sqlite3_reset(_statement);

    public long Int64(int column) => raw.sqlite3_column_int64(_statement, column);

    public bool IsNull(int column) => raw.sqlite3_column_type(_statement, column) == raw.SQLITE_NULL;

    /// <summary>A text column, or null for NULL (one call into SQLite: its text pointer is null then).</summary>
    public string? TextOrNull(int column) => raw.sqlite3_column_text(_statement, column).utf8_to_string();

    public string Text(int column) => raw.sqlite3_column_text(_statement, column).utf8_to_string();

    public long LastInsertRowId => raw.sqlite3_last_insert_rowid(_db);

    public void Dispose() => _statement.Dispose();
}
