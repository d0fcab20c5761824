namespace Sharpness.Nets.Training;

/// <summary>Which examples each step's gradient is computed on.</summary>
public enum OptimizerKind
{
    /// <summary>
    /// Full-batch gradient descent: every step uses the gradient of the mean loss over the whole
    /// training set, accumulated over physical batches (<see cref="TrainerConfig.PhysicalBatchSize"/>)
    /// with each batch weighted by its size, so the result is exactly the full-batch gradient.
    /// </summary>
    GradientDescent,

    /// <summary>
    /// Stochastic gradient descent: step t uses the mean-loss gradient over mini-batch t of
    /// <see cref="TrainerConfig.BatchSize"/> examples from <see cref="ShuffledBatchSampler"/>
    /// (a fresh seeded permutation every epoch).
    /// </summary>
    StochasticGradientDescent,
}
