import type { StoredRecord } from '../document.js';
import { STORY_CARD_TYPE, defaultStoryCardProps, type StoryCardProps } from './story-card.js';
import { PLANNING_META_KEY, type PlanningMeta } from './structure.js';

/**
 * Tldraw shape records built outside the editor (templates, CSV import on the server). The
 * document record and first page are the ones every Planboard client seeds a new board with, so
 * a board created from a template opens like any other.
 */
export const PAGE_ID = 'page:page';

export function documentRecords(): StoredRecord[] {
  return [
    { id: 'document:document', typeName: 'document', gridSize: 10, name: '', meta: {} },
    { id: PAGE_ID, typeName: 'page', name: 'Page 1', index: 'a1', meta: {} },
  ];
}

interface Placement {
  x: number;
  y: number;
  index: string;
  parentId?: string;
}

const ID_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A new shape id like tldraw's own (`shape:` + 21 random characters); works outside secure contexts too. */
export function newShapeId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(21));
  return `shape:${Array.from(bytes, (byte) => ID_ALPHABET[byte % 62]).join('')}`;
}

/** Tldraw's rich text (a TipTap document): one paragraph per line. */
function richText(text: string) {
  return { type: 'doc', content: text.split('\n').map((line) => (line ? { type: 'paragraph', content: [{ type: 'text', text: line }] } : { type: 'paragraph' })) };
}

function shapeRecord(type: string, at: Placement, props: Record<string, unknown>, meta: Record<string, unknown> = {}): StoredRecord {
  return {
    id: newShapeId(),
    typeName: 'shape',
    type,
    x: at.x,
    y: at.y,
    rotation: 0,
    index: at.index,
    parentId: at.parentId ?? PAGE_ID,
    isLocked: false,
    opacity: 1,
    meta,
    props,
  };
}

const planningMeta = (meta: PlanningMeta) => ({ [PLANNING_META_KEY]: meta });

export type FrameColor = 'black' | 'blue' | 'green' | 'grey' | 'light-blue' | 'light-green' | 'light-red' | 'light-violet' | 'orange' | 'red' | 'violet' | 'yellow';

export function frameRecord(at: Placement, size: { w: number; h: number }, name: string, meta: PlanningMeta, color: FrameColor = 'black'): StoredRecord {
  return shapeRecord('frame', at, { w: size.w, h: size.h, name, color }, planningMeta(meta));
}

export function noteRecord(at: Placement, text: string, options: { color: FrameColor; scale: number; meta?: PlanningMeta }): StoredRecord {
  return shapeRecord(
    'note',
    at,
    {
      color: options.color,
      labelColor: 'black',
      size: 'm',
      font: 'sans',
      fontSizeAdjustment: null,
      align: 'middle',
      verticalAlign: 'middle',
      growY: 0,
      url: '',
      richText: richText(text),
      scale: options.scale,
      textLastEditedBy: null,
    },
    options.meta ? planningMeta(options.meta) : {},
  );
}

export function storyCardRecord(at: Placement, props: Partial<StoryCardProps>): StoredRecord {
  return shapeRecord(STORY_CARD_TYPE, at, { ...defaultStoryCardProps(), ...props });
}
