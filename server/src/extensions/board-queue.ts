/**
 * Runs work for one board at a time, in arrival order (work for other boards runs alongside):
 * what facilitation and presenting use so that two requests never read-modify-write the same
 * board's state at once. A failed job does not stop the ones queued after it.
 */
export class BoardQueue {
  readonly #queues = new Map<string, Promise<unknown>>();

  run<T>(boardId: string, job: () => Promise<T>): Promise<T> {
    const previous = this.#queues.get(boardId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(job);
    this.#queues.set(boardId, next);
    void next.catch(() => undefined).finally(() => {
      if (this.#queues.get(boardId) === next) this.#queues.delete(boardId);
    });
    return next;
  }
}
