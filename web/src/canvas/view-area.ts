import type { Editor } from 'tldraw';

/**
 * The part of the canvas no tldraw panel covers, in screen pixels relative to the canvas: the menu
 * and page panel at the top, the toolbar at the bottom. Content shown "in view" goes there.
 */
const MINIMUM = { top: 64, bottom: 72, left: 24, right: 24 };

/** The margins, measured from tldraw's own layout (the bottom zone is two rows tall on a phone). */
function margins(editor: Editor) {
  const container = editor.getContainer();
  const height = (selector: string) => container.querySelector(selector)?.getBoundingClientRect().height ?? 0;
  // Controls laid over the top of the canvas from outside tldraw (the facilitation bar) say so
  // with data-covers-canvas-top: content is fitted below them.
  const top = container.getBoundingClientRect().top;
  const covered = Math.max(0, ...[...document.querySelectorAll('[data-covers-canvas-top]')].map((element) => element.getBoundingClientRect().bottom - top + 12));
  return {
    ...MINIMUM,
    top: Math.max(MINIMUM.top, height('.tlui-menu-zone') + 16, covered),
    bottom: Math.max(MINIMUM.bottom, height('.tlui-layout__bottom') + 12),
  };
}

export interface PageBox {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** True when `box` (page units) lies within the open part of the view. */
export function isInOpenView(editor: Editor, box: PageBox): boolean {
  const screen = editor.getViewportScreenBounds();
  const MARGIN = margins(editor);
  const topLeft = editor.pageToViewport({ x: box.x, y: box.y });
  const bottomRight = editor.pageToViewport({ x: box.x + box.w, y: box.y + box.h });
  return topLeft.x >= MARGIN.left && topLeft.y >= MARGIN.top && bottomRight.x <= screen.w - MARGIN.right && bottomRight.y <= screen.h - MARGIN.bottom;
}

/**
 * Moves the camera so `box` sits in the middle of the open part of the view, at `maxZoom` or
 * zoomed out just enough for it to fit (never below tldraw's own minimum).
 */
export function showBox(editor: Editor, box: PageBox, maxZoom: number, animate: boolean): void {
  const screen = editor.getViewportScreenBounds();
  const MARGIN = margins(editor);
  const w = Math.max(1, screen.w - MARGIN.left - MARGIN.right);
  const h = Math.max(1, screen.h - MARGIN.top - MARGIN.bottom);
  const zoom = Math.max(0.1, Math.min(maxZoom, w / Math.max(box.w, 1), h / Math.max(box.h, 1)));
  const centerX = MARGIN.left + w / 2;
  const centerY = MARGIN.top + h / 2;
  editor.setCamera(
    { x: centerX / zoom - (box.x + box.w / 2), y: centerY / zoom - (box.y + box.h / 2), z: zoom },
    animate ? { animation: { duration: 320 } } : undefined,
  );
}
