import type { TLPropsMigrations } from '@tldraw/tlschema';

/** The story card's validators (in `story-card-validators.ts`) and its version and migrations, as tldraw's store takes them. */
export { storyCardProps, storyCardPropsValidator } from './story-card-validators.js';

/**
 * Version 1 is the first shape; a later change adds an id `com.tldraw.shape.story-card/<n>` here
 * and a step to the sequence (what tldraw's `createShapePropsMigrationIds` and
 * `createShapePropsMigrationSequence` return; written out so that the server, which imports
 * this package, never loads @tldraw/tlschema: about 24 MB of memory it would not use).
 */
export const storyCardVersions = {} as const;
export const storyCardMigrations: TLPropsMigrations = { sequence: [] };
