using Sharpness.Core.Random;
using static TorchSharp.torch;

namespace Sharpness.Nets.Data;

/// <summary>
/// Deterministic synthetic data (<see cref="SyntheticDataOptions"/>): the same options give
/// bit-identical datasets on every machine, because every number is drawn from
/// <see cref="DeterministicRandom"/> and the teacher is evaluated in managed double precision.
/// </summary>
public static class SyntheticDatasets
{
    /// <summary>A training and a test set drawn from the same teacher.</summary>
    /// <param name="options">Sizes, teacher, noise, seed; validated here.</param>
    /// <exception cref="ArgumentOutOfRangeException">The options are invalid.</exception>
    public static DatasetSplits Create(SyntheticDataOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var teacher = new Teacher(options);
        Dataset train = Build(options, teacher, "train", options.TrainCount, inputStream: 0, noiseStream: 3);
        try
        {
            return new DatasetSplits(train, Build(options, teacher, "test", options.TestCount, inputStream: 1, noiseStream: 4));
        }
        catch
        {
            train.Dispose();
            throw;
        }
    }

    private static Dataset Build(SyntheticDataOptions options, Teacher teacher, string split, int n, ulong inputStream, ulong noiseStream)
    {
        int d = options.FeatureCount;
        int k = options.OutputDimension;
        var inputs = new double[checked(n * d)];
        DeterministicRandom.ForStream(options.Seed, inputStream).FillGaussian(inputs);
        var outputs = new double[checked(n * k)];
        for (int i = 0; i < n; i++)
        {
            teacher.Evaluate(inputs.AsSpan(i * d, d), outputs.AsSpan(i * k, k));
        }

        if (options.NoiseStandardDeviation > 0)
        {
            var noise = new double[outputs.Length];
            DeterministicRandom.ForStream(options.Seed, noiseStream).FillGaussian(noise, options.NoiseStandardDeviation);
            for (int i = 0; i < outputs.Length; i++)
            {
                outputs[i] += noise[i];
            }
        }

        long[]? labels = null;
        if (options.Classification)
        {
            labels = new long[n];
            for (int i = 0; i < n; i++)
            {
                Span<double> row = outputs.AsSpan(i * k, k);
                int best = 0;
                for (int c = 1; c < k; c++)
                {
                    if (row[c] > row[best])
                    {
                        best = c;
                    }
                }

                labels[i] = best;
                row.Clear();
                row[best] = 1.0;
            }
        }

        long[] shape = options.Layout == InputLayout.Images && options.ImageShape is Models.ImageShape image
            ? [n, image.Channels, image.Height, image.Width]
            : [n, d];
        string name = $"synthetic-{(options.Target == SyntheticTarget.Linear ? "linear" : "teacher")}/{split}";
        using var scope = NewDisposeScope();
        return Dataset.Own(
            name,
            tensor(inputs, shape, options.DType),
            tensor(outputs, [n, k], options.DType),
            labels is null ? null : tensor(labels, ScalarType.Int64),
            options.ImageShape);
    }

    /// <summary>The teacher's weights, drawn from stream 2 of the seed, and its evaluation.</summary>
    private sealed class Teacher
    {
        private readonly SyntheticTarget _target;
        private readonly int _inputs;
        private readonly int _hidden;
        private readonly int _outputs;
        private readonly double[] _first;
        private readonly double[] _second;

        public Teacher(SyntheticDataOptions options)
        {
            _target = options.Target;
            _inputs = options.FeatureCount;
            _outputs = options.OutputDimension;
            var random = DeterministicRandom.ForStream(options.Seed, 2);
            if (_target == SyntheticTarget.Linear)
            {
                _hidden = 0;
                _first = new double[checked(_outputs * _inputs)];
                random.FillGaussian(_first);
                _second = [];
            }
            else
            {
                _hidden = options.TeacherWidth;
                _first = new double[checked(_hidden * _inputs)];
                _second = new double[checked(_outputs * _hidden)];
                random.FillGaussian(_first, Math.Sqrt(1.0 / _inputs));
                random.FillGaussian(_second, Math.Sqrt(1.0 / _hidden));
            }
        }

        public void Evaluate(ReadOnlySpan<double> x, Span<double> y)
        {
            if (_target == SyntheticTarget.Linear)
            {
                double scale = 1.0 / Math.Sqrt(_inputs);
                for (int o = 0; o < _outputs; o++)
                {
                    y[o] = scale * Dot(_first.AsSpan(o * _inputs, _inputs), x);
                }

                return;
            }

            Span<double> h = _hidden <= 1024 ? stackalloc double[_hidden] : new double[_hidden];
            for (int j = 0; j < _hidden; j++)
            {
                h[j] = Math.Tanh(Dot(_first.AsSpan(j * _inputs, _inputs), x));
            }

            for (int o = 0; o < _outputs; o++)
            {
                y[o] = Dot(_second.AsSpan(o * _hidden, _hidden), h);
            }
        }

        private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
        {
            double sum = 0;
            for (int i = 0; i < a.Length; i++)
            {
                sum += a[i] * b[i];
            }

            return sum;
        }
    }
}
