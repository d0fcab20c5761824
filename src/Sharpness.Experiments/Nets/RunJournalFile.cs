using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Sharpness.Runs;

namespace Sharpness.Experiments.Nets;

/// <summary>
/// The journal of a net command's finished runs (<see cref="RunJournal"/>, one value per run), created only when the
/// first run finishes: an attempt that fails or is stopped before any run finished leaves no file, so that an invalid
/// run writes nothing. A journal this attempt created is deleted when the attempt fails with an error (anything but a
/// cancellation), which would fail again; one that an earlier attempt left is kept.
/// </summary>
internal sealed class RunJournalFile : IDisposable
{
    private readonly string? _path;
    private readonly string _fingerprint;
    private readonly bool _existed;
    private readonly Lock _gate = new();
    private RunJournal? _journal;

    /// <summary>Reads the journal at <paramref name="path"/> when it exists (null: no journal).</summary>
    /// <param name="path">The journal file, or null.</param>
    /// <param name="configuration">The run's complete configuration: its hash identifies the journal.</param>
    public RunJournalFile(string? path, JsonObject configuration)
    {
        _path = path;
        _fingerprint = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(configuration.ToJsonString())))[..32];
        _existed = path is not null && (File.Exists(path) || Directory.Exists(path) || new FileInfo(path).LinkTarget is not null);
        if (_existed)
        {
            _journal = RunJournal.Open(path!, _fingerprint, fields: 1);
        }
    }

    /// <summary>The runs an earlier attempt finished: the value of each, by index.</summary>
    public IReadOnlyDictionary<int, string> Entries => _journal is null
        ? new Dictionary<int, string>()
        : _journal.Entries.ToDictionary(e => e.Key, e => e.Value[0]);

    /// <summary>Records that run <paramref name="index"/> finished (thread-safe; creates the journal at the first).</summary>
    /// <param name="index">The run.</param>
    /// <param name="value">Its value (no comma or line break).</param>
    public void Append(int index, string value)
    {
        if (_path is null)
        {
            return;
        }

        RunJournal journal;
        lock (_gate)
        {
            journal = _journal ??= RunJournal.Open(_path, _fingerprint, fields: 1);
        }

        journal.Append(index, [value]);
    }

    /// <summary>After an error: deletes the journal when this attempt created it.</summary>
    public void DiscardIfCreated()
    {
        if (_path is null || _existed)
        {
            return;
        }

        lock (_gate)
        {
            _journal?.Dispose();
            _journal = null;
            RunJournal.Delete(_path);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _journal?.Dispose();
}
