import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTLSchema, defaultShapeSchemas } from '@tldraw/tlschema';
import { STORY_CARD_TYPE } from '../planning/story-card.js';
import { storyCardMigrations, storyCardProps } from '../planning/story-card-schema.js';
import { TLDRAW_SCHEMA } from './tldraw-schema.js';

test("the schema recorded in server-written boards is tldraw's real one, key order included", () => {
  const real = createTLSchema({ shapes: { ...defaultShapeSchemas, [STORY_CARD_TYPE]: { props: storyCardProps, migrations: storyCardMigrations } } }).serialize();
  // Clients compare the serialized JSON to decide whether to migrate and write back.
  assert.equal(JSON.stringify(TLDRAW_SCHEMA), JSON.stringify(real), 'update shared/src/changes/tldraw-schema.ts to the printed schema');
});
