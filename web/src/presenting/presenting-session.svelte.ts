import type * as Y from 'yjs';
import type { Editor } from 'tldraw';
import { PRESENTING_MAP, readPresenting, slidesOf, type PresenceUser, type PresentingState, type SlideFrame } from '@planboard/shared';
import { participantSecret } from '../facilitation/facilitation-session.svelte';
import { framesOf, watchFrames } from './canvas-slides';

/**
 * Presenting on one open board, in this tab: the public state (who presents, which slide, the
 * slide order; derived from the board document's server-written `presenting` map, never copied),
 * the slides (the canvas's frames), and the calls that ask the server to act. The server decides
 * who may present; this only asks, and shows a refusal as the server worded it.
 */
export class PresentingSession {
  state = $state.raw<PresentingState>({ presentation: null, order: null });
  frames = $state.raw<SlideFrame[]>([]);
  slides = $derived(slidesOf(this.frames, this.state.order));
  message = $state<string | null>(null);

  readonly #boardId: string;
  readonly #token: string;
  readonly #me: PresenceUser;
  readonly #secret = participantSecret();
  #cleanup: (() => void)[] = [];
  /** The slide the presenter asked for last, sent once the previous request is answered. */
  #pending: string | null = null;
  #sending = false;

  constructor(options: { doc: Y.Doc; boardId: string; token: string; me: PresenceUser }) {
    this.#boardId = options.boardId;
    this.#token = options.token;
    this.#me = options.me;
    const map = options.doc.getMap(PRESENTING_MAP);
    const read = () => (this.state = readPresenting(options.doc));
    map.observe(read);
    read();
    this.#cleanup.push(() => map.unobserve(read));
  }

  /** Follows the canvas's frames. */
  attach(editor: Editor): () => void {
    const read = () => (this.frames = framesOf(editor));
    read();
    return watchFrames(editor, read);
  }

  async #post(path: string, body: Record<string, unknown>, keepalive = false): Promise<{ ok: boolean; status: number }> {
    try {
      const response = await fetch(`/api/boards/${this.#boardId}/presenting${path}`, {
        method: 'POST',
        keepalive,
        headers: { authorization: `Bearer ${this.#token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ userId: this.#me.id, name: this.#me.name, secret: this.#secret, ...body }),
      });
      if (!response.ok) {
        const payload = (await response.json().catch(() => null)) as { message?: string } | null;
        this.message = payload?.message ? `${payload.message[0]!.toUpperCase()}${payload.message.slice(1)}.` : `The server answered ${response.status}.`;
      }
      return { ok: response.ok, status: response.status };
    } catch {
      this.message = 'Cannot reach the Planboard server.';
      return { ok: false, status: 0 };
    }
  }

  start(slideId: string) {
    this.message = null;
    return this.#post('', { action: 'start', slideId });
  }

  /** Shows `slideId` to everyone; quick key presses send only the slide the presenter ended on. */
  go(slideId: string): void {
    this.#pending = slideId;
    if (!this.#sending) void this.#flush();
  }

  async #flush(): Promise<void> {
    this.#sending = true;
    while (this.#pending) {
      const slideId = this.#pending;
      this.#pending = null;
      await this.#post('', { action: 'go', slideId });
    }
    this.#sending = false;
  }

  /** Ends the presentation; `leaving`: the page is going away, so the request must outlive it. */
  stop(leaving = false) {
    this.#pending = null;
    return this.#post('', { action: 'stop' }, leaving);
  }

  setOrder(slideIds: string[] | null) {
    this.message = null;
    return this.#post('/order', { slideIds });
  }

  /** Whether this tab's link opens the board as a presentation. */
  async opensAsPresentation(): Promise<boolean> {
    try {
      const response = await fetch(`/api/boards/${this.#boardId}/presenting/link`, { headers: { authorization: `Bearer ${this.#token}` } });
      return response.ok && ((await response.json()) as { opensAsPresentation: boolean }).opensAsPresentation;
    } catch {
      return false;
    }
  }

  destroy(): void {
    for (const cleanup of this.#cleanup) cleanup();
  }
}
