import type { RecordProps } from '@tldraw/tlschema';
import { T } from '@tldraw/validate';
import { ESTIMATES, PRIORITIES, STATUSES, STORY_CARD_LIMITS, type StoryCardShape } from './story-card.js';

/**
 * Validators of the story card: what tldraw's store, the server's import and edge, and the
 * planning derivations check. Only `@tldraw/validate` at run time (tlschema for a type only),
 * so that the web shell, which derives planning, does not load tldraw's schema.
 */
const boundedString = (max: number) =>
  T.string.check((value) => {
    if (value.length > max) throw new Error(`longer than ${max} characters`);
  });

export const storyCardProps: RecordProps<StoryCardShape> = {
  title: boundedString(STORY_CARD_LIMITS.title),
  description: boundedString(STORY_CARD_LIMITS.description),
  estimate: T.literalEnum(...ESTIMATES),
  status: T.literalEnum(...STATUSES),
  assignee: boundedString(STORY_CARD_LIMITS.assignee),
  labels: T.arrayOf(
    boundedString(STORY_CARD_LIMITS.label).check((label) => {
      if (label.includes(',')) throw new Error('a label cannot contain a comma');
    }),
  ).check((labels) => {
    if (labels.length > STORY_CARD_LIMITS.labels) throw new Error(`more than ${STORY_CARD_LIMITS.labels} labels`);
  }),
  priority: T.literalEnum(...PRIORITIES),
  votes: T.positiveInteger,
  externalKey: boundedString(STORY_CARD_LIMITS.externalKey),
};

/** Validates a whole props object; throws a `ValidationError` naming the bad field. */
export const storyCardPropsValidator = T.object(storyCardProps);

