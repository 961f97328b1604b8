import type { Editor, TLEventInfo, TLShape } from 'tldraw';
import { STORY_CARD_TYPE } from '@planboard/shared';

/** Farther than this (screen pixels) between press and release is a pan, not a tap. */
const TAP_SLOP = 6;

/**
 * On a view-only board the hand tool is active, so that a finger pans; tldraw's hand tool never
 * selects. A stakeholder still wants to tap a card and read it: a tap (press and release in one
 * place) on a story card selects it, which opens its details; a tap elsewhere clears the selection.
 * Returns the function that stops listening.
 */
export function tapToSelectCards(editor: Editor): () => void {
  let down: { x: number; y: number } | null = null;
  const onEvent = (info: TLEventInfo) => {
    if (info.type !== 'pointer' || editor.getCurrentToolId() !== 'hand') return;
    if (info.name === 'pointer_down') {
      down = { x: info.point.x, y: info.point.y };
    } else if (info.name === 'pointer_up' && down) {
      const moved = Math.hypot(info.point.x - down.x, info.point.y - down.y);
      down = null;
      if (moved > TAP_SLOP) return;
      const point = editor.screenToPage(info.point);
      let shape: TLShape | undefined = editor.getShapeAtPoint(point, { hitInside: true, margin: 4 });
      while (shape && shape.type !== STORY_CARD_TYPE) shape = editor.getShape(shape.parentId as TLShape['id']);
      if (shape) editor.select(shape.id);
      else editor.selectNone();
    }
  };
  editor.on('event', onEvent);
  return () => editor.off('event', onEvent);
}
