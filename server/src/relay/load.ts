/**
 * Whether this process is busy, from its event loop's utilization (the share of time it spent
 * running rather than waiting for I/O) over the last sampling interval. Boards batch presence
 * only while it is: a quiet server sends each cursor move at once, a saturated one (a connection
 * storm, a machine short of CPU) sends fewer, larger presence messages, each of which costs a
 * send and an echo per peer.
 */
export class LoadMonitor {
  /** Busy from this utilization up, and until it falls below QUIET (hysteresis). */
  static readonly BUSY = 0.7;
  static readonly QUIET = 0.5;
  #busy = false;
  #last = performance.eventLoopUtilization();
  readonly #timer: NodeJS.Timeout;

  constructor(intervalMs = 100) {
    this.#timer = setInterval(this.#sample, intervalMs);
    this.#timer.unref();
  }

  get busy(): boolean {
    return this.#busy;
  }

  #sample = (): void => {
    const now = performance.eventLoopUtilization();
    const { utilization } = performance.eventLoopUtilization(now, this.#last);
    this.#last = now;
    this.#busy = utilization >= (this.#busy ? LoadMonitor.QUIET : LoadMonitor.BUSY);
  };

  stop(): void {
    clearInterval(this.#timer);
  }
}

/** What a board reads of the process's load. */
export interface Load {
  readonly busy: boolean;
}

export const neverBusy: Load = { busy: false };
