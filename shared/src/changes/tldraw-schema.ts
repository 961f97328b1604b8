/**
 * tldraw's store schema as Planboard's canvas serializes it (`store.schema.serialize()`: the
 * default shapes and bindings plus the story card), kept as data so that the server can record
 * it in boards it writes without loading tldraw. Clients migrate a board's records from the
 * schema recorded in its meta. `tldraw-schema.test.ts` fails when this differs from tldraw's
 * real schema: after upgrading tldraw or changing the story card, paste the new one here.
 * (Key order matters: clients compare the serialized JSON.)
 */
export const TLDRAW_SCHEMA = {
  "schemaVersion": 2,
  "sequences": {
    "com.tldraw.store": 5,
    "com.tldraw.asset": 1,
    "com.tldraw.camera": 1,
    "com.tldraw.document": 2,
    "com.tldraw.instance": 26,
    "com.tldraw.instance_page_state": 5,
    "com.tldraw.page": 1,
    "com.tldraw.instance_presence": 6,
    "com.tldraw.pointer": 1,
    "com.tldraw.shape": 4,
    "com.tldraw.user": 1,
    "com.tldraw.asset.image": 6,
    "com.tldraw.asset.video": 5,
    "com.tldraw.asset.bookmark": 2,
    "com.tldraw.shape.arrow": 8,
    "com.tldraw.shape.bookmark": 2,
    "com.tldraw.shape.draw": 5,
    "com.tldraw.shape.embed": 4,
    "com.tldraw.shape.frame": 1,
    "com.tldraw.shape.geo": 12,
    "com.tldraw.shape.group": 0,
    "com.tldraw.shape.highlight": 4,
    "com.tldraw.shape.image": 5,
    "com.tldraw.shape.line": 5,
    "com.tldraw.shape.note": 13,
    "com.tldraw.shape.text": 4,
    "com.tldraw.shape.video": 4,
    "com.tldraw.shape.story-card": 0,
    "com.tldraw.binding.arrow": 1
  }
} as const;
