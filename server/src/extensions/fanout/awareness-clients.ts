import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

/**
 * The presence (awareness) clients another instance speaks for, with the last clock seen of
 * each, so that when that instance dies its clients' cursors can be removed everywhere: a state
 * of `null` at the same clock is how the awareness protocol says "this client left".
 */
export class RemoteAwarenessClients {
  /** instance id → client id → last clock seen. */
  readonly #byInstance = new Map<string, Map<number, number>>();

  /**
   * Notes the clients an awareness update from `instanceId` speaks for (removals forget them).
   * `instanceId` null means this instance's own peers. A client that moved (its instance died
   * and it reconnected elsewhere) belongs only to where it was heard last, so the death of its
   * old instance does not remove a client that is alive.
   */
  note(instanceId: string | null, update: Uint8Array): void {
    let clients = instanceId === null ? undefined : this.#byInstance.get(instanceId);
    if (instanceId !== null && !clients) this.#byInstance.set(instanceId, (clients = new Map()));
    const decoder = decoding.createDecoder(update);
    const count = decoding.readVarUint(decoder);
    for (let i = 0; i < count; i++) {
      const clientId = decoding.readVarUint(decoder);
      const clock = decoding.readVarUint(decoder);
      const state = decoding.readVarString(decoder);
      for (const [other, otherClients] of this.#byInstance) {
        if (other !== instanceId) otherClients.delete(clientId);
      }
      if (!clients) continue;
      if (state === 'null') clients.delete(clientId);
      else clients.set(clientId, clock);
    }
    for (const [other, otherClients] of this.#byInstance) if (otherClients.size === 0) this.#byInstance.delete(other);
  }

  /** An awareness update removing every client of `instanceId`, or null if it had none; forgets them. */
  removeInstance(instanceId: string): Uint8Array | null {
    const clients = this.#byInstance.get(instanceId);
    this.#byInstance.delete(instanceId);
    if (!clients || clients.size === 0) return null;
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, clients.size);
    for (const [clientId, clock] of clients) {
      encoding.writeVarUint(encoder, clientId);
      encoding.writeVarUint(encoder, clock);
      encoding.writeVarString(encoder, 'null');
    }
    return encoding.toUint8Array(encoder);
  }

  get instances(): string[] {
    return [...this.#byInstance.keys()];
  }
}
