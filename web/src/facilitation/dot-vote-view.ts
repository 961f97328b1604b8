import type { Editor } from 'tldraw';
import type { Dots } from '@planboard/shared';

/**
 * What the canvas needs to know of the open dot vote, in this browser only: which cards are in
 * it, this person's own dots (never anyone else's), and the counts once they are public. The
 * facilitation layer (Svelte) writes it into the editor's instance state, which never leaves this
 * tab (presence carries no instance meta); the dot tool and the card markers (React, canvas bundle)
 * read it. Type-only imports from tldraw: the shell loads this without the canvas bundle.
 */
export const DOT_VOTE_META = 'planboardDotVote';
/** The canvas tool that places dots: a click on a card places or takes back one. */
export const DOT_TOOL_ID = 'dot-vote';

export interface DotVoteView {
  voteId: string;
  cardIds: string[];
  /** My dots, by card. */
  mine: Dots;
  /** Counts per card when revealed or shown live; null while hidden. */
  counts: Record<string, number> | null;
  /** Dots can still be placed (open, not past the end time). */
  open: boolean;
  revealed: boolean;
  canVote: boolean;
  maxPerCard: number;
  /** Dots I have left. */
  left: number;
}

export function readDotVoteView(editor: Editor): DotVoteView | null {
  const view = editor.getInstanceState().meta[DOT_VOTE_META] as DotVoteView | undefined;
  return view && Array.isArray(view.cardIds) ? view : null;
}

export function writeDotVoteView(editor: Editor, view: DotVoteView | null): void {
  const meta = { ...editor.getInstanceState().meta };
  if (view) meta[DOT_VOTE_META] = view as unknown as (typeof meta)[string];
  else delete meta[DOT_VOTE_META];
  editor.updateInstanceState({ meta });
}

/** A click on a card during the vote: place a dot, or take one back. */
export type DotClick = (cardId: string, take: boolean) => void;
const handlers = new WeakMap<Editor, DotClick>();

export function onDotClick(editor: Editor, handler: DotClick | null): void {
  if (handler) handlers.set(editor, handler);
  else handlers.delete(editor);
}

export function dotClickHandler(editor: Editor): DotClick | null {
  return handlers.get(editor) ?? null;
}

/**
 * Where a card's dot markers are drawn (page units): a row of stickers on the card's bottom edge,
 * from its left. Zoomed out they grow, so that they stay visible (and tappable) on a phone.
 */
export function dotMarkers(card: { x: number; y: number; w: number; h: number }, count: number, zoom: number) {
  const scale = Math.min(3, Math.max(1, 0.7 / Math.max(zoom, 0.05)));
  const r = 10 * scale;
  const shown = Math.min(count, 5);
  const centers = Array.from({ length: shown }, (_, i) => ({ x: card.x + 18 * scale + i * (2 * r + 4 * scale), y: card.y + card.h }));
  return { r, scale, centers, more: count - shown };
}

/** Whether a page point is on one of the card's markers (with a little slack for fingers). */
export function hitsMarker(card: { x: number; y: number; w: number; h: number }, count: number, zoom: number, point: { x: number; y: number }): boolean {
  const { r, centers } = dotMarkers(card, count, zoom);
  const slack = r + 6 / Math.max(zoom, 0.05);
  return centers.some((c) => Math.hypot(point.x - c.x, point.y - c.y) <= slack);
}
