import { createShapePropsMigrationIds, createShapePropsMigrationSequence } from '@tldraw/tlschema';
import { STORY_CARD_TYPE } from './story-card.js';

/** The story card's validators (in `story-card-validators.ts`) and its version and migrations, as tldraw's store takes them. */
export { storyCardProps, storyCardPropsValidator } from './story-card-validators.js';

/** Version 1 is the first shape; a later change adds an id here and a step to the sequence. */
export const storyCardVersions = createShapePropsMigrationIds(STORY_CARD_TYPE, {});
export const storyCardMigrations = createShapePropsMigrationSequence({ sequence: [] });
