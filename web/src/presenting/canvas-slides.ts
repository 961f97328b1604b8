import type { Editor, TLShape, TLShapeId } from 'tldraw';
import type { SlideFrame } from '@planboard/shared';

/**
 * The canvas side of presenting: the frames of the current page as slides see them, and a camera
 * that shows one frame fitted to this screen. Type-only imports from tldraw: the shell uses this
 * without pulling the canvas bundle in.
 */

/**
 * Room above a frame for its name (and a lane's total), which tldraw draws above the top edge at
 * a legible size whatever the zoom: screen pixels, not page units.
 */
const HEADING = 36;
/** The frame's border is drawn on its edge: the mask leaves it whole. */
const BORDER = 3;
/** A small frame is not blown up past this zoom. */
const MAX_ZOOM = 4;

export function framesOf(editor: Editor): SlideFrame[] {
  const frames: SlideFrame[] = [];
  for (const shape of editor.getCurrentPageShapes()) {
    if (shape.type !== 'frame') continue;
    const box = editor.getShapePageBounds(shape.id);
    if (!box) continue;
    const parent = editor.findShapeAncestor(shape, (ancestor: TLShape) => ancestor.type === 'frame');
    const name = (shape.props as { name?: unknown }).name;
    frames.push({ id: shape.id, name: typeof name === 'string' ? name : '', x: box.x, y: box.y, w: box.w, h: box.h, parentId: parent?.id ?? null });
  }
  return frames;
}

/** Calls `onChange` (at most once a frame) when the page's shapes change. */
export function watchFrames(editor: Editor, onChange: () => void): () => void {
  let scheduled = 0;
  const stop = editor.store.listen(() => {
    if (scheduled) return;
    scheduled = requestAnimationFrame(() => {
      scheduled = 0;
      onChange();
    });
  }, { scope: 'document' });
  return () => {
    stop();
    cancelAnimationFrame(scheduled);
  };
}

/** Space on the screen that overlays take, which the slide must not go under. */
export interface Reserved {
  top: number;
  bottom: number;
}

/**
 * Fits the frame `id` (with its name above it) into the part of this screen that overlays leave
 * free, centred. `force` moves a locked camera too. False when the frame is not on this canvas (yet).
 */
export function showSlide(editor: Editor, id: string, reserved: Reserved, animate: boolean): boolean {
  const shape = editor.getShape(id as TLShapeId);
  if (!shape) return false;
  const page = editor.getAncestorPageId(shape);
  if (page && page !== editor.getCurrentPageId()) editor.setCurrentPage(page);
  const box = editor.getShapePageBounds(shape.id);
  if (!box) return false;
  const screen = editor.getViewportScreenBounds();
  const margin = Math.min(24, screen.w * 0.04);
  const free = { w: screen.w - 2 * margin, h: screen.h - reserved.top - reserved.bottom - 2 * margin - HEADING };
  if (free.w <= 0 || free.h <= 0) return false;
  const z = Math.min(free.w / box.w, free.h / box.h, MAX_ZOOM);
  // A page point p shows at (p + camera) * z on the screen.
  const centre = { x: screen.w / 2, y: reserved.top + margin + HEADING + free.h / 2 };
  const camera = { x: centre.x / z - (box.x + box.w / 2), y: centre.y / z - (box.y + box.h / 2), z };
  editor.setCamera(camera, { force: true, ...(animate ? { animation: { duration: 320 } } : {}) });
  return true;
}

/** Where the slide `id` (with its name) is drawn now, in the canvas's coordinates; null when not on this canvas. */
export function slideOnCanvas(editor: Editor, id: string): { x: number; y: number; w: number; h: number } | null {
  const box = editor.getShapePageBounds(id as TLShapeId);
  if (!box) return null;
  const topLeft = editor.pageToViewport({ x: box.x, y: box.y });
  const bottomRight = editor.pageToViewport({ x: box.x + box.w, y: box.y + box.h });
  return { x: topLeft.x - BORDER, y: topLeft.y - HEADING, w: bottomRight.x - topLeft.x + 2 * BORDER, h: bottomRight.y - topLeft.y + HEADING + BORDER };
}
