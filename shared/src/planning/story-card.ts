import type { TLBaseShape } from '@tldraw/tlschema';

/**
 * The story card: a custom tldraw shape (`type: 'story-card'`), declared once: its fields here,
 * its validators and version in `story-card-schema.ts` (kept apart so that code needing only the
 * fields, like the web shell, does not load tldraw's schema).
 */
export const STORY_CARD_TYPE = 'story-card';

/** Story points. `none` is "not estimated yet", `?` is "cannot estimate" (a spike is needed). */
export const ESTIMATES = ['none', '0', '1', '2', '3', '5', '8', '13', '21', '?'] as const;
export type Estimate = (typeof ESTIMATES)[number];

export const STATUSES = ['todo', 'in-progress', 'done', 'blocked'] as const;
export type CardStatus = (typeof STATUSES)[number];
export const STATUS_LABELS: Record<CardStatus, string> = { todo: 'To do', 'in-progress': 'In progress', done: 'Done', blocked: 'Blocked' };

export const PRIORITIES = ['none', 'low', 'medium', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];
export const PRIORITY_LABELS: Record<Priority, string> = { none: 'No priority', low: 'Low', medium: 'Medium', high: 'High', urgent: 'Urgent' };

export const STORY_CARD_LIMITS = { title: 300, description: 10_000, assignee: 100, label: 60, labels: 20, externalKey: 64 } as const;

export interface StoryCardProps {
  title: string;
  description: string;
  estimate: Estimate;
  status: CardStatus;
  assignee: string;
  labels: string[];
  priority: Priority;
  votes: number;
  externalKey: string;
}

export type StoryCardShape = TLBaseShape<typeof STORY_CARD_TYPE, StoryCardProps>;

/** Cards have one size, so that a board of them reads like a backlog. */
export const STORY_CARD_SIZE = { w: 240, h: 128 } as const;

export function defaultStoryCardProps(): StoryCardProps {
  return { title: '', description: '', estimate: 'none', status: 'todo', assignee: '', labels: [], priority: 'none', votes: 0, externalKey: '' };
}

/** Points a card adds to totals: numeric estimates only (`none` and `?` count as 0). */
export function estimatePoints(estimate: Estimate): number {
  const points = Number(estimate);
  return Number.isFinite(points) ? points : 0;
}

export function isEstimate(value: string): value is Estimate {
  return (ESTIMATES as readonly string[]).includes(value);
}

/** Initials for the avatar on a card: "Ada Lovelace" → "AL", "ada@x.org" → "A". */
export function assigneeInitials(assignee: string): string {
  const words = assignee.replace(/@.*$/, '').split(/[\s._-]+/).filter(Boolean);
  return words.slice(0, 2).map((word) => word[0]!.toUpperCase()).join('');
}

// Registers the card with tldraw's types, so `editor.createShape({ type: 'story-card', ... })`
// and `TLShape` know its props wherever this package is loaded.
declare module '@tldraw/tlschema' {
  interface TLGlobalShapePropsMap {
    [STORY_CARD_TYPE]: StoryCardProps;
  }
}
