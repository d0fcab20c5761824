// Measured latencies of the interactive views, read by the browser tests (docs/benchmarks.md):
// uv: from a slider's input event to the frame after the trajectory was redrawn;
// orbit: from the end of a box zoom to the frame after the recomputed diagram was drawn.
export const timings: { uv: number[]; orbit: number[]; orbitServer: number[] } = { uv: [], orbit: [], orbitServer: [] };
(window as unknown as { sharpnessTimings: typeof timings }).sharpnessTimings = timings;

export function afterFrame(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => resolve()));
}
