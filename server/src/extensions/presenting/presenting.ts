import { randomUUID } from 'node:crypto';
import type * as Y from 'yjs';
import {
  PresentingKey,
  getPresentingMap,
  getRecordsMap,
  hasRole,
  readFacilitation,
  readPresenting,
  type Participant,
  type PresentationState,
} from '@planboard/shared';
import type { BoardDocs } from '../facilitation/board-docs.js';
import type { Actor } from '../facilitation/facilitation.js';
import { BoardQueue } from '../board-queue.js';

/** A refused presenting action, with the status and a message a person can act on. */
export class PresentingError extends Error {
  readonly statusCode: 400 | 403 | 404 | 409;
  constructor(statusCode: 400 | 403 | 404 | 409, message: string) {
    super(message);
    this.statusCode = statusCode;
  }
}

interface BoardFacts {
  presentation: PresentationState | null;
  chair: Participant | null;
  /** Whether each asked-for id is a frame of the board. */
  frames: boolean[];
}

const isFrame = (doc: Y.Doc, id: string): boolean => {
  const record = getRecordsMap(doc).get(id) as { typeName?: unknown; type?: unknown } | undefined;
  return record?.typeName === 'shape' && record.type === 'frame';
};

/**
 * Presenting a board's frames as slides: who presents, which slide everyone sees, the slide
 * order. Owners and editors present; while someone holds the facilitator's chair, only they do
 * (as for summon and follow-me). Only the presenter moves the slides; the presenter, the chair or
 * an owner ends a presentation. The state is written to the document by the server only, so it
 * reaches every participant on every instance, stock clients included.
 */
export class Presenting {
  readonly #docs: BoardDocs;
  readonly #now: () => number;
  /** Actions on one board run one after another (on this instance). */
  readonly #queue = new BoardQueue();

  constructor(docs: BoardDocs, now: () => number = Date.now) {
    this.#docs = docs;
    this.#now = now;
  }

  #serial<T>(boardId: string, run: () => Promise<T>): Promise<T> {
    return this.#queue.run(boardId, run);
  }

  async #facts(boardId: string, ids: string[] = []): Promise<BoardFacts> {
    const facts = await this.#docs.read(boardId, (doc) => ({
      presentation: readPresenting(doc).presentation,
      chair: readFacilitation(doc).chair,
      frames: ids.map((id) => isFrame(doc, id)),
    }));
    if (!facts) throw new PresentingError(404, 'board not found');
    return facts;
  }

  async #write(boardId: string, write: (map: Y.Map<unknown>) => void): Promise<void> {
    const done = await this.#docs.change(boardId, (doc) => {
      write(getPresentingMap(doc));
      return true;
    });
    if (!done) throw new PresentingError(404, 'board not found');
  }

  /** Owners and editors present; while the chair is taken, only the facilitator does. */
  #requirePresenterRights(actor: Actor, chair: Participant | null, what: string): void {
    if (!hasRole(actor.role, 'editor')) throw new PresentingError(403, `viewers watch presentations; they cannot ${what}`);
    if (chair && chair.userId !== actor.userId) throw new PresentingError(403, `only the facilitator (${chair.name}) may ${what} while they hold the chair`);
  }

  start(boardId: string, actor: Actor, slideId: string): Promise<PresentationState> {
    return this.#serial(boardId, async () => {
      const { presentation, chair, frames } = await this.#facts(boardId, [slideId]);
      this.#requirePresenterRights(actor, chair, 'present');
      if (presentation && presentation.presenter.userId !== actor.userId) {
        throw new PresentingError(409, `${presentation.presenter.name} is presenting; they or an owner can end it first`);
      }
      if (!frames[0]) throw new PresentingError(400, 'slides are frames: this id is not a frame of the board');
      const next: PresentationState = { id: randomUUID(), presenter: { userId: actor.userId, name: actor.name }, slideId, startedAt: this.#now() };
      await this.#write(boardId, (map) => map.set(PresentingKey.presentation, next));
      return next;
    });
  }

  /** The presenter shows another slide; everyone following sees it. */
  go(boardId: string, actor: Actor, slideId: string): Promise<PresentationState> {
    return this.#serial(boardId, async () => {
      const { presentation, chair, frames } = await this.#facts(boardId, [slideId]);
      if (!presentation) throw new PresentingError(409, 'nobody is presenting');
      if (presentation.presenter.userId !== actor.userId) throw new PresentingError(403, `only ${presentation.presenter.name}, who is presenting, moves the slides`);
      this.#requirePresenterRights(actor, chair, 'present');
      if (!frames[0]) throw new PresentingError(400, 'slides are frames: this id is not a frame of the board');
      const next = { ...presentation, slideId };
      await this.#write(boardId, (map) => map.set(PresentingKey.presentation, next));
      return next;
    });
  }

  /** The presenter, the facilitator or an owner ends the presentation. */
  stop(boardId: string, actor: Actor): Promise<void> {
    return this.#serial(boardId, async () => {
      const { presentation, chair } = await this.#facts(boardId);
      if (!presentation) return;
      const allowed = presentation.presenter.userId === actor.userId || actor.role === 'owner' || (chair?.userId === actor.userId && hasRole(actor.role, 'editor'));
      if (!allowed) throw new PresentingError(403, `only ${presentation.presenter.name}, the facilitator or an owner can end this presentation`);
      await this.#write(boardId, (map) => map.set(PresentingKey.presentation, null));
    });
  }

  /** The slide order (frame ids), or null for reading order. Stored with the board. */
  setOrder(boardId: string, actor: Actor, slideIds: string[] | null): Promise<void> {
    return this.#serial(boardId, async () => {
      const ids = slideIds && [...new Set(slideIds)];
      const { chair, frames } = await this.#facts(boardId, ids ?? []);
      this.#requirePresenterRights(actor, chair, 'arrange the slides');
      const missing = frames.filter((found) => !found).length;
      if (missing > 0) throw new PresentingError(400, `${missing} of the slide ids are not frames of this board`);
      await this.#write(boardId, (map) => map.set(PresentingKey.order, ids && ids.length > 0 ? ids : null));
    });
  }
}
