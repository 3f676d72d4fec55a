using System.Collections.Generic;
using System.Linq;
using Svsm.Bindings.Spec.Diagnostics;
using Svsm.Bindings.Spec.Reading;

namespace Svsm.Bindings.Spec.Recognising.Tables;

/// <summary>A table of a known kind with its columns located: rows are read by column, not by position.</summary>
internal sealed class TableRows
{
    private readonly Dictionary<ColumnSpec, int> columns;

    private TableRows(TableSchema schema, TableBlock table, Dictionary<ColumnSpec, int> columns)
    {
        Schema = schema;
        Table = table;
        this.columns = columns;
    }

    public TableSchema Schema { get; }

    public TableBlock Table { get; }

    /// <summary>Rows with at least one non-empty cell.</summary>
    public IEnumerable<TableRowText> Rows => Table.Rows.Where(r => r.Cells.Any(c => c.Text.Length > 0));

    /// <summary>Locates the columns, reporting each missing required one (their indices go to <paramref name="errors"/>). Null when any is missing.</summary>
    public static TableRows? Open(TableSchema schema, TableBlock table, DiagnosticBag diagnostics, List<int>? errors = null)
    {
        var columns = schema.Locate(table.Header);
        var complete = true;
        foreach (var column in schema.Columns)
        {
            if (column.Required && columns[column] < 0)
            {
                var index = diagnostics.Add(SpecDiagnostics.MissingColumn, table.Header.Span, schema.Title, column.Title, schema.ColumnList);
                errors?.Add(index);
                complete = false;
            }
        }

        return complete ? new TableRows(schema, table, columns) : null;
    }

    public bool Has(ColumnSpec column) => columns.TryGetValue(column, out var index) && index >= 0;

    public TableCellText Cell(TableRowText row, ColumnSpec column) =>
        row.Cell(columns.TryGetValue(column, out var index) ? index : -1);
}
