using System.Text;
using Sharpness.Experiments.Progress;
using Sharpness.Runs;

namespace Sharpness.Web.Runs;

/// <summary>
/// Follows a run that a process is writing, by reading the rows appended to its <c>metrics.csv.partial</c>
/// (or <c>metrics.csv</c>, <c>trajectory.csv</c>) as they appear. When the file is replaced (the partial file
/// renamed to its final name when the run ends) it is read again from the start and the rows already
/// seen are skipped. The run is over when its folder holds a complete manifest.
/// </summary>
public sealed class RunFollower
{
    private static readonly string[] Candidates = ["metrics.csv.partial", "metrics.csv", "trajectory.csv.partial", "trajectory.csv"];

    private readonly string _folder;
    private string? _file;
    private long _offset;
    private int _rowsSeen;
    private int _rowsInFile;
    private bool _headerInFile;
    private readonly StringBuilder _pending = new();

    /// <summary>Creates a follower of a run folder (resolved inside the runs folder).</summary>
    /// <param name="folder">Absolute path of the folder.</param>
    public RunFollower(string folder) => _folder = folder;

    /// <summary>The header of the file followed, once read.</summary>
    public IReadOnlyList<string>? Columns { get; private set; }

    /// <summary>Rows read so far.</summary>
    public int Rows => _rowsSeen;

    /// <summary>Whether the run is complete (its manifest says so).</summary>
    public bool IsComplete => RunDirectory.HoldsCompleteRun(_folder);

    /// <summary>
    /// Reads what was appended since the last call: whether the header was read for the first time, and
    /// the new rows (numbers; NaN for cells that are not numbers).
    /// </summary>
    public (bool NewColumns, IReadOnlyList<double[]> Rows) Poll()
    {
        string? file = Candidates.Select(c => Path.Combine(_folder, c)).FirstOrDefault(File.Exists);
        if (file is null)
        {
            return (false, []);
        }

        long length;
        try
        {
            length = new FileInfo(file).Length;
        }
        catch (IOException)
        {
            return (false, []);
        }

        if (file != _file || length < _offset)
        {
            _file = file;
            _offset = 0;
            _rowsInFile = 0;
            _headerInFile = false;
            _pending.Clear();
        }

        if (length == _offset)
        {
            return (false, []);
        }

        string text;
        try
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            stream.Seek(_offset, SeekOrigin.Begin);
            var buffer = new byte[length - _offset];
            int read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            _offset += read;
            text = Encoding.UTF8.GetString(buffer, 0, read);
        }
        catch (IOException)
        {
            return (false, []);
        }

        _pending.Append(text);
        string all = _pending.ToString();
        int lastNewline = all.LastIndexOf('\n');
        if (lastNewline < 0)
        {
            return (false, []);
        }

        _pending.Clear().Append(all, lastNewline + 1, all.Length - lastNewline - 1);
        bool newColumns = false;
        var rows = new List<double[]>();
        foreach (string raw in all[..lastNewline].Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }

            if (!_headerInFile)
            {
                // The header; a file read again from its start (the partial file renamed) repeats it.
                _headerInFile = true;
                if (Columns is null)
                {
                    Columns = line.Split(',');
                    newColumns = true;
                }

                continue;
            }

            if (++_rowsInFile <= _rowsSeen)
            {
                continue;
            }

            _rowsSeen++;
            rows.Add(line.Split(',').Select(c => CsvTableReader.TryParseNumber(c, out double v) ? v : double.NaN).ToArray());
        }

        return (newColumns, rows);
    }

    /// <summary>A progress snapshot from the rows read so far (the total is not known to a follower).</summary>
    /// <param name="task">The task path.</param>
    /// <param name="last">The latest row.</param>
    /// <param name="elapsed">Time since following started.</param>
    /// <param name="latestMeasured">For each column, the latest finite value and its step.</param>
    public ExperimentProgress Snapshot(string task, double[] last, TimeSpan elapsed, IReadOnlyDictionary<string, (double Value, long Step)> latestMeasured)
    {
        ArgumentNullException.ThrowIfNull(last);
        ArgumentNullException.ThrowIfNull(latestMeasured);
        int stepColumn = Columns is null ? -1 : Array.IndexOf(Columns.ToArray(), "step");
        long step = stepColumn >= 0 && stepColumn < last.Length && double.IsFinite(last[stepColumn]) ? (long)last[stepColumn] : _rowsSeen - 1;
        var metrics = new[] { "loss", "sharpness", "lr_sharpness" }
            .Where(latestMeasured.ContainsKey)
            .Select(name => new ProgressMetric(name, latestMeasured[name].Value, latestMeasured[name].Step))
            .ToList();
        return new ExperimentProgress { Task = task, Completed = step, Total = null, Unit = "steps", Elapsed = elapsed, Metrics = metrics };
    }
}
