import type { PresenceUser } from '@planboard/shared';

/** Who this browser is on every board: a stable id, a name asked once, and a colour. */
const KEY = 'planboard:user';
const COLORS = ['#e03131', '#2f9e44', '#1971c2', '#f08c00', '#9c36b5', '#0c8599', '#c2255c', '#5c940d', '#6741d9', '#e8590c'];

function load(): PresenceUser {
  try {
    const stored = JSON.parse(localStorage.getItem(KEY) ?? 'null') as PresenceUser | null;
    if (stored?.id && typeof stored.name === 'string' && stored.color) return stored;
  } catch {
    // fall through to a new identity
  }
  const id = crypto.randomUUID();
  return { id, name: '', color: COLORS[Math.floor(Math.random() * COLORS.length)]! };
}

class Identity {
  user = $state<PresenceUser>(load());

  get hasName(): boolean {
    return this.user.name.trim().length > 0;
  }

  setName(name: string): void {
    this.user = { ...this.user, name: name.trim().slice(0, 40) };
    localStorage.setItem(KEY, JSON.stringify(this.user));
  }
}

export const identity = new Identity();

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  return ((parts[0]?.[0] ?? '?') + (parts.length > 1 ? (parts.at(-1)?.[0] ?? '') : '')).toUpperCase();
}
