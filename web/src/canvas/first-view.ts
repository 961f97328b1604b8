import type { Editor } from 'tldraw';
import { showBox } from './view-area';

/**
 * A board opens where this person left it (per board, in this browser), or else fitted to its
 * content: never at 100% on the top-left corner with the first activity under the panels.
 */
const key = (boardId: string) => `planboard:view:${boardId}`;

/** Frame names and lane totals sit above the frames' top edges (page units at 100%). */
const HEADING_ROOM = 48;
/** ...and on screen, zoomed out (a total's pill above an activity, at its readable size). */
const HEADING_SCREEN_PX = 44;

interface SavedView {
  x: number;
  y: number;
  z: number;
}

function readView(boardId: string): SavedView | null {
  try {
    const value = JSON.parse(localStorage.getItem(key(boardId)) ?? 'null') as Partial<SavedView> | null;
    if (value && [value.x, value.y, value.z].every((n) => typeof n === 'number' && Number.isFinite(n)) && value.z! > 0) return value as SavedView;
  } catch {
    // A broken entry is the same as none.
  }
  return null;
}

/** Fits the page's content into the view, no closer than 100%; false when the page is empty. */
export function fitContent(editor: Editor, animate = false): boolean {
  const content = editor.getCurrentPageBounds();
  if (!content) return false;
  const fit = (room: number, animated: boolean) => showBox(editor, { x: content.x, y: content.y - room, w: content.w, h: content.h + room }, 1, animated);
  // Headings keep a readable screen size however far out the fit is (a phone): zoomed out, they
  // need more page units than at 100%, so the room is measured at the zoom a first fit reaches.
  const before = editor.getCamera();
  fit(HEADING_ROOM, false);
  const room = Math.max(HEADING_ROOM, HEADING_SCREEN_PX / editor.getZoomLevel());
  if (animate) editor.setCamera(before);
  if (animate || room > HEADING_ROOM) fit(room, animate);
  return true;
}

/**
 * Applies the remembered view, or fits the content once it has arrived (from this device's copy
 * or the server), refitting while more arrives until the person moves the view themselves; from
 * then on every move is remembered. Returns the stop function.
 */
export function manageFirstView(editor: Editor, boardId: string): () => void {
  const container = editor.getContainer();
  const saved = readView(boardId);
  let personMoved = false;
  let fitting = !saved;
  const disposers: (() => void)[] = [];
  let settle: ReturnType<typeof setTimeout> | undefined;

  if (saved) editor.setCamera(saved);
  else if (fitContent(editor)) stopFittingSoon();

  // While the board is still arriving, keep it fitted (a second wave of records from the server).
  if (fitting) {
    disposers.push(
      editor.store.listen(
        () => {
          if (fitting && !personMoved && fitContent(editor)) stopFittingSoon();
        },
        { scope: 'document' },
      ),
    );
  }
  // Refits stop 1.5 s after the first one (not later: in a live workshop edits never pause).
  function stopFittingSoon() {
    settle ??= setTimeout(() => (fitting = false), 1500);
  }

  // The person's own moves: a press, the wheel, a key (Shift+1, +/-, arrows).
  const tookOver = () => {
    personMoved = true;
    fitting = false;
  };
  for (const type of ['pointerdown', 'wheel', 'keydown', 'touchstart'] as const) {
    container.addEventListener(type, tookOver, { capture: true, passive: true });
    disposers.push(() => container.removeEventListener(type, tookOver, { capture: true }));
  }

  let write: ReturnType<typeof setTimeout> | undefined;
  disposers.push(
    editor.store.listen(
      () => {
        if (fitting && !personMoved) return;
        clearTimeout(write);
        write = setTimeout(() => {
          const { x, y, z } = editor.getCamera();
          try {
            localStorage.setItem(key(boardId), JSON.stringify({ x, y, z }));
          } catch {
            // Storage full or blocked: the view is simply not remembered.
          }
        }, 250);
      },
      { scope: 'session' },
    ),
  );

  return () => {
    clearTimeout(settle);
    clearTimeout(write);
    for (const dispose of disposers) dispose();
  };
}
