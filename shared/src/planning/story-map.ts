import type { StoredRecord } from '../document.js';
import { frameRecord, noteRecord } from './records.js';
import { STORY_MAP } from './templates.js';
import type { HeaderView, PlanningModel } from './structure.js';

/**
 * Growing a story map from the UI: a new activity at the right end of the backbone, a new step
 * under an activity (pushing the activities right of it along), a new release slice under the
 * last one. Pure: the caller applies the result through the editor (one undoable step).
 */
export interface StoryMapChange {
  /** New shapes, on the page. */
  create: StoredRecord[];
  /** Shapes to move right by `dx` (headers and cards right of an inserted step). */
  move: { id: string; dx: number }[];
  /** Release frames to widen. */
  resize: { id: string; w: number }[];
}

const byX = (a: HeaderView, b: HeaderView) => a.box.x - b.box.x;

function releases(model: PlanningModel) {
  return model.lanes.filter((lane) => lane.kind === 'release').sort((a, b) => a.box.y - b.box.y);
}

function widenReleases(model: PlanningModel, right: number): StoryMapChange['resize'] {
  return releases(model)
    .filter((lane) => lane.box.x + lane.box.w < right + STORY_MAP.inset)
    .map((lane) => ({ id: lane.id, w: right + STORY_MAP.inset - lane.box.x }));
}

/** The right edge of the backbone: the rightmost activity or step. */
function backboneRight(model: PlanningModel): number {
  return model.headers.filter((h) => h.kind === 'activity' || h.kind === 'step').reduce((right, h) => Math.max(right, h.box.x + STORY_MAP.column - STORY_MAP.inset), -Infinity);
}

export function hasStoryMap(model: PlanningModel): boolean {
  return model.headers.some((h) => h.kind === 'activity') || model.lanes.some((l) => l.kind === 'release');
}

export function addActivity(model: PlanningModel, name: string, index: string): StoryMapChange {
  const activities = model.headers.filter((h) => h.kind === 'activity').sort(byX);
  const first = activities[0];
  const top = first?.box.y ?? (releases(model)[0]?.box.y ?? STORY_MAP.releasesY) - STORY_MAP.releasesY;
  const left = activities.length > 0 ? backboneRight(model) + STORY_MAP.inset : (releases(model)[0]?.box.x ?? 0) + STORY_MAP.inset;
  const activity = noteRecord({ x: left, y: top, index }, name, { color: 'orange', scale: STORY_MAP.activityScale, meta: { kind: 'activity' } });
  const step = noteRecord({ x: left, y: top + STORY_MAP.stepsY, index: `${index}V` }, 'New step', { color: 'yellow', scale: STORY_MAP.stepScale, meta: { kind: 'step' } });
  return { create: [activity, step], move: [], resize: widenReleases(model, left + STORY_MAP.column - STORY_MAP.inset) };
}

export function addStep(model: PlanningModel, activityId: string, name: string, index: string): StoryMapChange {
  const activities = model.headers.filter((h) => h.kind === 'activity').sort(byX);
  const activity = activities.find((a) => a.id === activityId);
  if (!activity) throw new Error('select an activity of the story map to add a step under it');
  const nextActivity = activities[activities.indexOf(activity) + 1];
  const steps = model.headers.filter((h) => h.kind === 'step' && h.box.x >= activity.box.x && (!nextActivity || h.box.x < nextActivity.box.x)).sort(byX);
  const x = steps.length > 0 ? steps.at(-1)!.box.x + STORY_MAP.column : activity.box.x;
  const y = steps[0]?.box.y ?? activity.box.y + STORY_MAP.stepsY;
  const step = noteRecord({ x, y, index }, name, { color: 'yellow', scale: STORY_MAP.stepScale, meta: { kind: 'step' } });
  const move: StoryMapChange['move'] = [];
  if (steps.length > 0) {
    // Make room: everything of the later activities shifts one column right, cards included.
    for (const header of model.headers) if ((header.kind === 'activity' || header.kind === 'step') && header.box.x >= x) move.push({ id: header.id, dx: STORY_MAP.column });
    for (const card of model.cards) if (card.activityId && card.center.x >= x) move.push({ id: card.id, dx: STORY_MAP.column });
  }
  const right = Math.max(backboneRight(model) + (move.length > 0 ? STORY_MAP.column : 0), x + STORY_MAP.column - STORY_MAP.inset);
  return { create: [step], move, resize: widenReleases(model, right) };
}

/**
 * The name of the next release slice: one past the highest "Release N" on the map ("Release 3"
 * after MVP, Release 2, Later), or numbered by position when none is numbered yet.
 */
export function nextReleaseName(model: PlanningModel): string {
  const existing = releases(model);
  const numbers = existing.map((lane) => /^release\s+(\d+)$/i.exec(lane.name.trim())?.[1]).filter((n): n is string => n !== undefined).map(Number);
  const names = new Set(existing.map((lane) => lane.name.trim().toLowerCase()));
  let next = numbers.length > 0 ? Math.max(...numbers) + 1 : existing.length + 1;
  while (names.has(`release ${next}`)) next += 1;
  return `Release ${next}`;
}

export function addRelease(model: PlanningModel, name: string, index: string): StoryMapChange {
  const existing = releases(model);
  const last = existing.at(-1);
  const x = last?.box.x ?? 0;
  const y = last ? last.box.y + last.box.h + STORY_MAP.releaseGap : STORY_MAP.releasesY;
  const w = last?.box.w ?? Math.max(STORY_MAP.column + STORY_MAP.inset, backboneRight(model) + STORY_MAP.inset - x);
  return { create: [frameRecord({ x, y, index }, { w, h: STORY_MAP.releaseHeight }, name, { kind: 'release' })], move: [], resize: [] };
}
