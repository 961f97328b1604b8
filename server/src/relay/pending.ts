import * as Y from 'yjs';

/**
 * Updates whose dependencies the board does not have yet. After a crash, a peer's edit may
 * arrive before the sync step that restores what it builds on; such an update waits here,
 * outside the document, until the board has what it needs. (Yjs itself would merge every later
 * update into its whole pending set, one merge per frame: a hostile peer could make each tiny
 * frame cost as much as megabytes of pending data. Here a frame costs what it weighs.)
 */
export interface Dependency {
  client: number;
  /** The board needs this client's changes up to (and including) this clock. */
  clock: number;
}

/**
 * The first change this update depends on that neither the board (`stateOf`: next expected
 * clock per client) nor the update itself provides; null when it can be applied in full.
 */
export function missingDependency(decoded: ReturnType<typeof Y.decodeUpdate>, stateOf: (client: number) => number): Dependency | null {
  const { structs, ds } = decoded;
  // What the board and this update provide together, per client (next clock).
  const known = new Map<number, number>();
  const knownOf = (client: number) => known.get(client) ?? stateOf(client);
  for (const struct of structs) {
    if (struct instanceof Y.Skip) continue;
    const { client, clock } = struct.id;
    const next = knownOf(client);
    if (clock > next) return { client, clock: next };
    known.set(client, Math.max(next, clock + struct.length));
  }
  for (const struct of structs) {
    if (!(struct instanceof Y.Item)) continue;
    for (const ref of [struct.origin, struct.rightOrigin, struct.parent instanceof Y.ID ? struct.parent : null]) {
      if (ref && ref.clock >= knownOf(ref.client)) return { client: ref.client, clock: ref.clock };
    }
  }
  for (const [client, deletes] of ds.clients) {
    let end = 0;
    for (const { clock, len } of deletes) end = Math.max(end, clock + len);
    if (end > knownOf(client)) return { client, clock: end - 1 };
  }
  return null;
}

export interface PendingUpdate<Sender> {
  update: Uint8Array;
  sender: Sender;
  waitingFor: Dependency;
}

/**
 * The waiting updates of one board, indexed by the client whose changes they wait for, with
 * their bytes counted per sender and in total.
 */
export class PendingUpdates<Sender> {
  readonly #byClient = new Map<number, Set<PendingUpdate<Sender>>>();
  readonly #bytesBySender = new Map<Sender, { bytes: number; count: number }>();
  #bytes = 0;

  get bytes(): number {
    return this.#bytes;
  }

  get isEmpty(): boolean {
    return this.#byClient.size === 0;
  }

  usageOf(sender: Sender): { bytes: number; count: number } {
    return this.#bytesBySender.get(sender) ?? { bytes: 0, count: 0 };
  }

  add(entry: PendingUpdate<Sender>): void {
    let waiting = this.#byClient.get(entry.waitingFor.client);
    if (!waiting) this.#byClient.set(entry.waitingFor.client, (waiting = new Set()));
    waiting.add(entry);
    const usage = this.#bytesBySender.get(entry.sender);
    if (usage) {
      usage.bytes += entry.update.byteLength;
      usage.count += 1;
    } else this.#bytesBySender.set(entry.sender, { bytes: entry.update.byteLength, count: 1 });
    this.#bytes += entry.update.byteLength;
  }

  /** Takes out the updates whose awaited change the board now has (`stateOf` past its clock). */
  takeReady(clients: Iterable<number>, stateOf: (client: number) => number): PendingUpdate<Sender>[] {
    const ready: PendingUpdate<Sender>[] = [];
    for (const client of clients) {
      const waiting = this.#byClient.get(client);
      if (!waiting) continue;
      const state = stateOf(client);
      for (const entry of waiting) {
        if (entry.waitingFor.clock < state) {
          this.#forget(entry, waiting);
          ready.push(entry);
        }
      }
    }
    return ready;
  }

  /** Drops every update of a sender (it left, or was cut off). */
  dropSender(sender: Sender): void {
    if (!this.#bytesBySender.has(sender)) return;
    for (const waiting of this.#byClient.values()) {
      for (const entry of waiting) if (entry.sender === sender) this.#forget(entry, waiting);
    }
  }

  clear(): void {
    this.#byClient.clear();
    this.#bytesBySender.clear();
    this.#bytes = 0;
  }

  #forget(entry: PendingUpdate<Sender>, waiting: Set<PendingUpdate<Sender>>): void {
    waiting.delete(entry);
    if (waiting.size === 0) this.#byClient.delete(entry.waitingFor.client);
    const usage = this.#bytesBySender.get(entry.sender)!;
    usage.bytes -= entry.update.byteLength;
    usage.count -= 1;
    if (usage.count === 0) this.#bytesBySender.delete(entry.sender);
    this.#bytes -= entry.update.byteLength;
  }
}
