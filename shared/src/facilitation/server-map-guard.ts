import * as Y from 'yjs';
/* eslint-disable @typescript-eslint/no-explicit-any -- Yjs types are parameterised by their event type, which a guard does not care about. */

/**
 * Whether a peer's Yjs update would write to (or delete from) the root map `mapName` of `doc`,
 * checked before the update touches the document. The relay refuses such updates for maps only
 * the server writes (facilitation state), whatever a client sends.
 *
 * A decoded item names its parent only when it has no neighbour; otherwise its parent is that of
 * the item it was inserted next to (`origin` / `rightOrigin`), which is looked up in the document.
 */
export function updateTouchesMap(
  doc: Y.Doc,
  update: Uint8Array,
  mapName: string,
  /** The update already decoded (the relay decodes each peer update once for every check). */
  decodedUpdate?: ReturnType<typeof Y.decodeUpdate>,
): boolean {
  const map = doc.share.get(mapName) ?? null;
  // A board that never had the map: only an update naming it as a parent can create it.
  if (map === null && !containsText(update, mapName)) return false;
  let decoded: ReturnType<typeof Y.decodeUpdate>;
  if (decodedUpdate) decoded = decodedUpdate;
  else {
    try {
      decoded = Y.decodeUpdate(update);
    } catch {
      // Not ours to judge: the relay refuses undecodable updates on its own.
      return false;
    }
  }
  const inMap = (id: Y.ID | null): boolean => {
    if (!id || map === null) return false;
    const known = doc.store.clients.get(id.client);
    if (!known || known.length === 0) return false;
    const last = known[known.length - 1]!;
    if (id.clock >= last.id.clock + last.length) return false;
    const struct = Y.getItem(doc.store, id);
    return struct instanceof Y.Item && isInside(struct, map);
  };
  for (const struct of decoded.structs) {
    if (!(struct instanceof Y.Item)) continue;
    // What the document already holds changes nothing: a reloaded client resends the map's items
    // it got from the server (its local copy, its sync reply).
    if (struct.id.clock + struct.length <= Y.getState(doc.store, struct.id.client)) continue;
    const parent = struct.parent as unknown;
    if (parent === mapName) return true;
    if (parent instanceof Y.ID && inMap(parent)) return true;
    if (inMap(struct.origin) || inMap(struct.rightOrigin)) return true;
  }
  if (map === null) return false;
  for (const item of itemsOf(map)) {
    // A sync reply carries the peer's whole delete set, with the map's overwritten values.
    if (!item.deleted && Y.isDeleted(decoded.ds, item.id)) return true;
  }
  return false;
}

function isInside(item: Y.Item, map: Y.AbstractType<any>): boolean {
  let type = item.parent as Y.AbstractType<any> | null;
  while (type) {
    if (type === map) return true;
    type = type._item?.parent as Y.AbstractType<any> | null;
  }
  return false;
}

/** Every item of a map, current and overwritten values alike (the map is small: a few keys). */
function* itemsOf(map: Y.AbstractType<any>): Generator<Y.Item> {
  for (const last of map._map.values()) {
    for (let item: Y.Item | null = last; item; item = item.left) yield item;
  }
}

const encoder = new TextEncoder();

function containsText(bytes: Uint8Array, text: string): boolean {
  const needle = encoder.encode(text);
  outer: for (let i = 0; i <= bytes.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (bytes[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}
