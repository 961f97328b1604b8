/**
 * A presentation's slides are the board's frames. Without an order set by the presenter they come
 * in reading order: rows from top to bottom, left to right within a row, as a person reads a
 * page of frames laid out by hand (slightly misaligned tops still make one row). A frame inside
 * another frame follows its parent, in reading order among its siblings.
 */

/** A frame as the slides see it: its page-space box, and the frame it sits in (if any). */
export interface SlideFrame {
  id: string;
  name: string;
  x: number;
  y: number;
  w: number;
  h: number;
  /** The enclosing frame's id, or null for a frame on the page (or in a group). */
  parentId: string | null;
}

export interface Slide {
  id: string;
  /** The frame's name, or "Slide N" when it has none. */
  title: string;
  /** 0 for a frame on the page, 1 for a frame inside a frame, and so on. */
  depth: number;
}

/**
 * Frames of one level in reading order. A frame joins the current row when its top is above the
 * middle of every frame already in the row; otherwise it starts the next row.
 */
function readingOrder(frames: SlideFrame[]): SlideFrame[] {
  const byTop = [...frames].sort((a, b) => a.y - b.y || a.x - b.x || compareIds(a.id, b.id));
  const rows: SlideFrame[][] = [];
  let row: SlideFrame[] = [];
  let rowMiddle = Infinity;
  for (const frame of byTop) {
    if (row.length > 0 && frame.y >= rowMiddle) {
      rows.push(row);
      row = [];
      rowMiddle = Infinity;
    }
    row.push(frame);
    rowMiddle = Math.min(rowMiddle, frame.y + frame.h / 2);
  }
  if (row.length > 0) rows.push(row);
  return rows.flatMap((r) => r.sort((a, b) => a.x - b.x || a.y - b.y || compareIds(a.id, b.id)));
}

const compareIds = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The slides of a board: `order` (frame ids the presenter arranged) first, skipping frames that
 * no longer exist; then every other frame in reading order, so that a frame added after the order
 * was set is still shown.
 */
export function slidesOf(frames: SlideFrame[], order: readonly string[] | null = null): Slide[] {
  const ids = new Set(frames.map((f) => f.id));
  const children = new Map<string | null, SlideFrame[]>();
  for (const frame of frames) {
    const parent = frame.parentId !== null && ids.has(frame.parentId) && frame.parentId !== frame.id ? frame.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), frame]);
  }
  const read: { frame: SlideFrame; depth: number }[] = [];
  const seen = new Set<string>();
  const visit = (parent: string | null, depth: number) => {
    for (const frame of readingOrder(children.get(parent) ?? [])) {
      // A parent cycle (only a corrupt document has one) is visited once.
      if (seen.has(frame.id)) continue;
      seen.add(frame.id);
      read.push({ frame, depth });
      visit(frame.id, depth + 1);
    }
  };
  visit(null, 0);

  let ordered = read;
  if (order && order.length > 0) {
    const byId = new Map(read.map((entry) => [entry.frame.id, entry]));
    const first = [...new Set(order)].filter((id) => byId.has(id)).map((id) => byId.get(id)!);
    const placed = new Set(first.map((entry) => entry.frame.id));
    ordered = [...first, ...read.filter((entry) => !placed.has(entry.frame.id))];
  }
  return ordered.map(({ frame, depth }, index) => ({ id: frame.id, title: frame.name.trim() || `Slide ${index + 1}`, depth }));
}

/** The order after moving the slide `id` one place up (-1) or down (+1); unchanged at either end. */
export function moveSlide(slides: readonly Slide[], id: string, by: -1 | 1): string[] {
  const ids = slides.map((s) => s.id);
  const from = ids.indexOf(id);
  const to = from + by;
  if (from < 0 || to < 0 || to >= ids.length) return ids;
  [ids[from], ids[to]] = [ids[to]!, ids[from]!];
  return ids;
}
