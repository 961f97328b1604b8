import type { Editor, TLShapeId } from 'tldraw';
import { isInOpenView, showBox } from './view-area';

/**
 * Brings shapes the UI has just added (an activity, a step, a release, an inserted template,
 * imported cards) into view and highlights them briefly. Type-only imports from tldraw: the shell
 * calls this without pulling the canvas bundle in. The highlight travels through the editor's
 * instance state (this browser only, never the board), and the canvas draws it
 * (see `RevealHighlights`).
 */
export const HIGHLIGHT_META = 'planboardHighlight';
export const HIGHLIGHT_MS = 2000;

export interface Highlight {
  ids: string[];
  until: number;
}

export function readHighlight(editor: Editor): Highlight | null {
  const value = editor.getInstanceState().meta[HIGHLIGHT_META] as Highlight | undefined;
  return value && Array.isArray(value.ids) ? value : null;
}

/** Waits (up to `timeout` ms) until every shape is in the editor's store: imported cards arrive from the server. */
function whenPresent(editor: Editor, ids: string[], timeout: number): Promise<string[]> {
  const present = () => ids.filter((id) => editor.getShape(id as TLShapeId));
  if (present().length === ids.length) return Promise.resolve(ids);
  return new Promise((resolve) => {
    const stop = editor.store.listen(
      () => {
        if (present().length === ids.length) finish();
      },
      { scope: 'document' },
    );
    const timer = setTimeout(finish, timeout);
    function finish() {
      stop();
      clearTimeout(timer);
      resolve(present());
    }
  });
}

export async function revealShapes(editor: Editor, shapeIds: string[], options: { timeout?: number } = {}): Promise<void> {
  const ids = await whenPresent(editor, shapeIds, options.timeout ?? 5000);
  if (ids.length === 0) return;
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const id of ids) {
    const box = editor.getShapePageBounds(id as TLShapeId);
    if (!box) continue;
    minX = Math.min(minX, box.x);
    minY = Math.min(minY, box.y);
    maxX = Math.max(maxX, box.x + box.w);
    maxY = Math.max(maxY, box.y + box.h);
  }
  if (!Number.isFinite(minX)) return;
  // A lane's name and total sit above its top edge: show them too.
  const bounds = { x: minX, y: minY - 40, w: maxX - minX, h: maxY - minY + 40 };
  // At the current zoom when it fits (centred), zoomed out just enough when it does not.
  if (!isInOpenView(editor, bounds)) showBox(editor, bounds, Math.min(editor.getZoomLevel(), 1), true);
  const until = Date.now() + HIGHLIGHT_MS;
  editor.updateInstanceState({ meta: { ...editor.getInstanceState().meta, [HIGHLIGHT_META]: { ids, until } } });
  setTimeout(() => {
    if (readHighlight(editor)?.until === until) {
      const { [HIGHLIGHT_META]: _done, ...meta } = editor.getInstanceState().meta;
      editor.updateInstanceState({ meta });
    }
  }, HIGHLIGHT_MS);
}
