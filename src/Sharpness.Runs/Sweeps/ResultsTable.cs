using System.Globalization;
using System.Text;
using Parquet;
using Parquet.Schema;

namespace Sharpness.Runs.Sweeps;

/// <summary>The one-row-per-run table of configurations and results, held in memory (it is small).</summary>
internal sealed class ResultsTable
{
    private readonly IReadOnlyList<CompleteRun> _runs;
    private readonly string[] _columns;
    private readonly ResultColumnType[] _types;
    private readonly Cell[][] _cells;

    private ResultsTable(IReadOnlyList<CompleteRun> runs, string[] columns, ResultColumnType[] types, Cell[][] cells)
    {
        _runs = runs;
        _columns = columns;
        _types = types;
        _cells = cells;
    }

    public static ResultsTable Build(IReadOnlyList<CompleteRun> runs)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var config = new List<string>();
        var results = new List<string>();
        foreach (CompleteRun run in runs)
        {
            foreach (var (name, _) in run.Cells)
            {
                if (seen.Add(name))
                {
                    (name.StartsWith("config.", StringComparison.Ordinal) ? config : results).Add(name);
                }
            }
        }

        string[] columns = [.. config, .. results];
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < columns.Length; i++)
        {
            index[columns[i]] = i;
        }

        // _cells[column][run]
        var cells = new Cell[columns.Length][];
        for (int i = 0; i < columns.Length; i++)
        {
            cells[i] = new Cell[runs.Count];
            Array.Fill(cells[i], Cell.Null);
        }

        for (int r = 0; r < runs.Count; r++)
        {
            foreach (var (name, cell) in runs[r].Cells)
            {
                cells[index[name]][r] = cell;
            }
        }

        var types = cells.Select(ManifestCells.TypeOf).ToArray();
        return new ResultsTable(runs, columns, types, cells);
    }

    public async Task WriteParquetAsync(Stream stream, CancellationToken cancellationToken)
    {
        var fields = new List<DataField>
        {
            SweepMerger.StringField(SweepMerger.RunColumn, nullable: false),
            SweepMerger.StringField("command"),
            new DataField<ulong?>("seed"),
        };
        for (int i = 0; i < _columns.Length; i++)
        {
            fields.Add(_types[i] switch
            {
                ResultColumnType.Double => new DataField<double?>(_columns[i]),
                ResultColumnType.Boolean => new DataField<bool?>(_columns[i]),
                _ => SweepMerger.StringField(_columns[i]),
            });
        }

        var schema = new ParquetSchema(fields);
        var writer = await ParquetWriter.CreateAsync(schema, stream, SweepMerger.ParquetOptions(), cancellationToken: cancellationToken).ConfigureAwait(false);
        await using (writer.ConfigureAwait(false))
        {
            if (_runs.Count == 0)
            {
                return;
            }

            using ParquetRowGroupWriter group = writer.CreateRowGroup();
            await group.WriteAsync(fields[0], _runs.Select(r => r.Name).ToArray()).ConfigureAwait(false);
            await group.WriteAsync(fields[1], _runs.Select(r => r.Command).ToArray()!).ConfigureAwait(false);
            await group.WriteAsync<ulong>(fields[2], _runs.Select(r => r.Seed).ToArray(), cancellationToken: cancellationToken).ConfigureAwait(false);
            for (int i = 0; i < _columns.Length; i++)
            {
                DataField field = fields[i + 3];
                Cell[] cells = _cells[i];
                switch (_types[i])
                {
                    case ResultColumnType.Double:
                        await group.WriteAsync<double>(field, cells.Select(c => c.Kind == CellKind.Null ? (double?)null : c.Number).ToArray(), cancellationToken: cancellationToken).ConfigureAwait(false);
                        break;
                    case ResultColumnType.Boolean:
                        await group.WriteAsync<bool>(field, cells.Select(c => c.Kind == CellKind.Null ? (bool?)null : c.Boolean).ToArray(), cancellationToken: cancellationToken).ConfigureAwait(false);
                        break;
                    default:
                        await group.WriteAsync(field, cells.Select(c => c.Text).ToArray()!).ConfigureAwait(false);
                        break;
                }
            }

            group.CompleteValidate();
        }
    }

    public async Task WriteCsvAsync(Stream stream, CancellationToken cancellationToken)
    {
        var writer = new StreamWriter(stream, SweepMerger.Utf8, bufferSize: 1 << 16, leaveOpen: true) { NewLine = "\n" };
        await using (writer.ConfigureAwait(false))
        {
            var line = new StringBuilder();
            line.AppendJoin(',', new[] { SweepMerger.RunColumn, "command", "seed" }.Concat(_columns).Select(SweepMerger.QuoteCsv));
            await writer.WriteLineAsync(line, cancellationToken).ConfigureAwait(false);
            for (int r = 0; r < _runs.Count; r++)
            {
                CompleteRun run = _runs[r];
                line.Clear();
                line.Append(SweepMerger.QuoteCsv(run.Name)).Append(',');
                if (run.Command is not null)
                {
                    line.Append(SweepMerger.QuoteCsv(run.Command));
                }

                line.Append(',');
                if (run.Seed is ulong seed)
                {
                    line.Append(seed.ToString(CultureInfo.InvariantCulture));
                }

                for (int i = 0; i < _columns.Length; i++)
                {
                    line.Append(',');
                    Cell cell = _cells[i][r];
                    if (cell.Kind == CellKind.Null)
                    {
                        continue;
                    }

                    line.Append(_types[i] switch
                    {
                        ResultColumnType.Double => CsvTable.Format(cell.Number),
                        ResultColumnType.Boolean => cell.Boolean ? "true" : "false",
                        _ => SweepMerger.QuoteCsv(cell.Text!),
                    });
                }

                await writer.WriteLineAsync(line, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
