import type { StoredRecord } from '../document.js';
import { STORY_CARD_SIZE } from './story-card.js';
import { frameRecord, noteRecord } from './records.js';
import { derivePlanning } from './structure.js';

/**
 * Board templates as data: each builds the tldraw records of its lanes and headers, placed from
 * `origin`, so the same template seeds a new board (server) and is inserted later (canvas).
 */
export const TEMPLATE_IDS = ['blank', 'backlog', 'story-map', 'roadmap', 'roadmap-timeline', 'sprint', 'retro'] as const;
export type TemplateId = (typeof TEMPLATE_IDS)[number];

export interface TemplateInfo {
  id: TemplateId;
  name: string;
  description: string;
}

export const TEMPLATES: readonly TemplateInfo[] = [
  { id: 'blank', name: 'Blank board', description: 'An empty canvas.' },
  { id: 'backlog', name: 'Backlog grooming', description: 'Inbox, Needs refinement, Ready for sprint, Out of scope — with a count and points per column.' },
  { id: 'story-map', name: 'User story map', description: 'Activities and steps across the top, release slices below, totals per release and per activity.' },
  { id: 'roadmap', name: 'Roadmap: Now / Next / Later', description: 'Three horizons with a count and points per column.' },
  { id: 'roadmap-timeline', name: 'Roadmap timeline', description: 'Quarters across, themes down, with totals per quarter and per theme.' },
  { id: 'sprint', name: 'Sprint planning', description: 'A sprint frame that shows points against its capacity, beside the backlog.' },
  { id: 'retro', name: 'Retro', description: 'Went well, To improve, Actions.' },
];

export function isTemplateId(value: string): value is TemplateId {
  return (TEMPLATE_IDS as readonly string[]).includes(value);
}

/** Story-map geometry, shared by the template and the add-activity/step/release operations. */
export const STORY_MAP = {
  column: STORY_CARD_SIZE.w + 40,
  activityScale: 0.75,
  stepScale: 0.6,
  stepsY: 170,
  releasesY: 380,
  releaseHeight: 2 * STORY_CARD_SIZE.h + 90,
  // Room between release slices for a lane's header row (name and total) at any zoom: tldraw's frame
  // heading grows to 3.5 times its 28 px as the view zooms out, about 98 page units.
  releaseGap: 100,
  inset: 20,
} as const;

/**
 * Fractional indices (tldraw's shape order) for the few shapes of a template: `a1`, `a2`, … `az`,
 * the first 61 keys of the scheme, in order.
 */
function getIndices(count: number): string[] {
  const digits = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  if (count > digits.length) throw new Error('a template has at most 61 shapes');
  return Array.from({ length: count }, (_, i) => `a${digits[i]}`);
}

const COLUMN = { w: STORY_CARD_SIZE.w + 60, h: 900, gap: 40 } as const;

interface Origin {
  x: number;
  y: number;
}

function columns(origin: Origin, names: string[], kind: (name: string, i: number) => 'column' | 'backlog', indices: string[], height: number = COLUMN.h): StoredRecord[] {
  return names.map((name, i) => frameRecord({ x: origin.x + i * (COLUMN.w + COLUMN.gap), y: origin.y, index: indices[i]! }, { w: COLUMN.w, h: height }, name, { kind: kind(name, i) }));
}

function storyMap(origin: Origin): StoredRecord[] {
  const activities = ['Activity 1', 'Activity 2', 'Activity 3'];
  const releases = ['MVP', 'Release 2', 'Later'];
  const indices = getIndices(releases.length + activities.length * 2 + 1).slice(1);
  let next = 0;
  const width = activities.length * STORY_MAP.column + STORY_MAP.inset;
  const records: StoredRecord[] = [];
  releases.forEach((name, i) => {
    const y = origin.y + STORY_MAP.releasesY + i * (STORY_MAP.releaseHeight + STORY_MAP.releaseGap);
    records.push(frameRecord({ x: origin.x, y, index: indices[next++]! }, { w: width, h: STORY_MAP.releaseHeight }, name, { kind: 'release' }, i === 0 ? 'green' : 'black'));
  });
  activities.forEach((name, i) => {
    const x = origin.x + STORY_MAP.inset + i * STORY_MAP.column;
    records.push(noteRecord({ x, y: origin.y, index: indices[next++]! }, name, { color: 'orange', scale: STORY_MAP.activityScale, meta: { kind: 'activity' } }));
    records.push(noteRecord({ x, y: origin.y + STORY_MAP.stepsY, index: indices[next++]! }, `Step ${i + 1}.1`, { color: 'yellow', scale: STORY_MAP.stepScale, meta: { kind: 'step' } }));
  });
  return records;
}

function timeline(origin: Origin): StoredRecord[] {
  const quarters = ['Q1', 'Q2', 'Q3', 'Q4'];
  const themes = ['Theme A', 'Theme B', 'Theme C'];
  const rowHeight = 2 * STORY_CARD_SIZE.h + 80;
  const indices = getIndices(quarters.length + themes.length + 1).slice(1);
  const records = columns({ x: origin.x + 200, y: origin.y }, quarters, () => 'column', indices, themes.length * rowHeight);
  themes.forEach((name, i) => {
    records.push(noteRecord({ x: origin.x, y: origin.y + i * rowHeight + 20, index: indices[quarters.length + i]! }, name, { color: 'violet', scale: 0.75, meta: { kind: 'theme' } }));
  });
  return records;
}

function sprint(origin: Origin): StoredRecord[] {
  const [backlogIndex, sprintIndex] = getIndices(3).slice(1);
  return [
    frameRecord({ x: origin.x, y: origin.y, index: backlogIndex! }, { w: COLUMN.w, h: COLUMN.h }, 'Backlog', { kind: 'backlog' }),
    frameRecord({ x: origin.x + COLUMN.w + 80, y: origin.y, index: sprintIndex! }, { w: 3 * (STORY_CARD_SIZE.w + 20) + 20, h: COLUMN.h }, 'Sprint 1', { kind: 'sprint', capacity: 30 }, 'blue'),
  ];
}

/** The template's shapes, placed with their top-left corner at `origin`. */
export function buildTemplate(id: TemplateId, origin: Origin = { x: 0, y: 0 }): StoredRecord[] {
  switch (id) {
    case 'blank':
      return [];
    case 'backlog':
      return columns(origin, ['Inbox', 'Needs refinement', 'Ready for sprint', 'Out of scope'], (_, i) => (i === 0 ? 'backlog' : 'column'), getIndices(5).slice(1));
    case 'story-map':
      return storyMap(origin);
    case 'roadmap':
      return columns(origin, ['Now', 'Next', 'Later'], () => 'column', getIndices(4).slice(1));
    case 'roadmap-timeline':
      return timeline(origin);
    case 'sprint':
      return sprint(origin);
    case 'retro':
      return columns(origin, ['Went well', 'To improve', 'Actions'], () => 'column', getIndices(4).slice(1));
  }
}

export interface PreviewBox {
  x: number;
  y: number;
  w: number;
  h: number;
  kind: 'lane' | 'sprint' | 'activity' | 'step' | 'theme' | 'card';
  label: string;
}

/** A template's outline for the home page's preview, drawn from the very records it builds. */
export function templatePreview(id: TemplateId): PreviewBox[] {
  const model = derivePlanning(buildTemplate(id));
  return [
    ...model.lanes.map((lane): PreviewBox => ({ ...lane.box, kind: lane.kind === 'sprint' ? 'sprint' : 'lane', label: lane.name })),
    ...model.headers.map((header): PreviewBox => ({ ...header.box, kind: header.kind, label: header.name })),
  ];
}
