import {
  InstancePresenceRecordType,
  atom,
  createPresenceStateDerivation,
  react,
  type TLInstancePresence,
  type TLStore,
  type TLUser,
} from 'tldraw';
import type { Awareness } from 'y-protocols/awareness';
import type { PresenceUser } from '@planboard/shared';

/** Cursor updates go out at most this often (a frame is ~16 ms; 40 ms reads as live). */
const PUBLISH_INTERVAL_MS = 40;

/**
 * Presence through Yjs awareness: this tab's cursor, selection and camera are published as
 * `state.presence`; every other participant's state becomes a tldraw `instance_presence` record
 * (with the name and colour of `state.user`), removed when they leave.
 */
export function bindPresence(store: TLStore, awareness: Awareness, user: PresenceUser): () => void {
  const $user = atom<TLUser | null>('planboard user', {
    id: `user:${user.id}` as TLUser['id'],
    typeName: 'user',
    name: user.name,
    color: user.color,
    imageUrl: '',
    meta: {},
  });
  const $presence = createPresenceStateDerivation($user)(store);
  let timer: ReturnType<typeof setTimeout> | null = null;
  const publish = () => {
    timer = null;
    awareness.setLocalStateField('presence', $presence.get());
  };
  const stopPublishing = react('publish presence', () => {
    $presence.get();
    if (!timer) timer = setTimeout(publish, PUBLISH_INTERVAL_MS);
  });

  const presenceId = (clientId: number) => InstancePresenceRecordType.createId(`planboard-${clientId}`);
  const apply = (clientIds: number[]) => {
    const states = awareness.getStates();
    const put: TLInstancePresence[] = [];
    const removed: TLInstancePresence['id'][] = [];
    for (const clientId of clientIds) {
      if (clientId === awareness.clientID) continue;
      const state = states.get(clientId) as { presence?: TLInstancePresence | null; user?: Partial<PresenceUser> } | undefined;
      const id = presenceId(clientId);
      if (state?.presence && typeof state.presence === 'object') {
        put.push(
          InstancePresenceRecordType.create({
            ...state.presence,
            id,
            userName: state.user?.name ?? state.presence.userName,
            color: state.user?.color ?? state.presence.color,
          }),
        );
      } else if (store.has(id)) {
        removed.push(id);
      }
    }
    if (put.length === 0 && removed.length === 0) return;
    store.mergeRemoteChanges(() => {
      if (removed.length > 0) store.remove(removed);
      if (put.length > 0) store.put(put);
    });
  };
  const onChange = ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }) => {
    apply([...added, ...updated]);
    const gone = removed.map(presenceId).filter((id) => store.has(id));
    if (gone.length > 0) store.mergeRemoteChanges(() => store.remove(gone));
  };
  awareness.on('change', onChange);
  apply([...awareness.getStates().keys()]);

  return () => {
    stopPublishing();
    if (timer) clearTimeout(timer);
    awareness.off('change', onChange);
    awareness.setLocalStateField('presence', null);
  };
}
