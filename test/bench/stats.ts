// Small measurement helpers shared by the orchestrator and the generator processes.

/**
 * Milliseconds on CLOCK_MONOTONIC, which every process on the machine shares: a send time taken
 * in one generator process can be subtracted from a receive time taken in another.
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** The q-quantile of an ascending array (NaN when empty). */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export function median(values: number[]): number {
  return quantile([...values].sort((a, b) => a - b), 0.5);
}

export function ascending(values: number[]): Float64Array {
  return Float64Array.from(values).sort();
}
