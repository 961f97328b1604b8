import type * as Y from 'yjs';
import type { Participant } from '../facilitation/state.js';

/**
 * The public side of presenting, kept in the board document under `Y.Map('presenting')`. Only
 * the server writes this map (through the relay's server origin); a peer's update touching it is
 * refused, so who presents and which slide is shown are what the server decided.
 *
 * Every key holds one plain JSON value, replaced whole when it changes.
 */
export const PRESENTING_MAP = 'presenting';

export const PresentingKey = {
  /** The running presentation, or null. */
  presentation: 'presentation',
  /** Frame ids in the order the presenter set, or null for reading order. */
  order: 'order',
} as const;

export interface PresentationState {
  /** New for every presentation, so that a "Not now" answers one presentation only. */
  id: string;
  presenter: Participant;
  /** The frame shown now. */
  slideId: string;
  /** Server time (epoch ms) the presentation started. */
  startedAt: number;
}

export interface PresentingState {
  presentation: PresentationState | null;
  order: string[] | null;
}

/** Limits the server enforces on what it is asked to write. */
export const PRESENTING_LIMITS = { maxSlides: 500, idLength: 200 } as const;

export function getPresentingMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap<unknown>(PRESENTING_MAP);
}

export function readPresenting(doc: Y.Doc): PresentingState {
  const map = getPresentingMap(doc);
  return {
    presentation: (map.get(PresentingKey.presentation) as PresentationState | undefined) ?? null,
    order: (map.get(PresentingKey.order) as string[] | undefined) ?? null,
  };
}
