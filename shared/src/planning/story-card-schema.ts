import { createShapePropsMigrationIds, createShapePropsMigrationSequence, type RecordProps } from '@tldraw/tlschema';
import { T } from '@tldraw/validate';
import { ESTIMATES, PRIORITIES, STATUSES, STORY_CARD_LIMITS, STORY_CARD_TYPE, type StoryCardShape } from './story-card.js';

/** Validators and version of the story card: what tldraw's store and the server's import check. */
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

/** Version 1 is the first shape; a later change adds an id here and a step to the sequence. */
export const storyCardVersions = createShapePropsMigrationIds(STORY_CARD_TYPE, {});
export const storyCardMigrations = createShapePropsMigrationSequence({ sequence: [] });
