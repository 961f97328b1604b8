import { boardLinkPath, type CreatedLink, type LinkSummary, type Role } from '@planboard/shared';
import type { BoardStore, LinkRecord } from '../persistence/store.js';
import { issueToken } from './tokens.js';

export const toLinkSummary = (link: LinkRecord): LinkSummary => ({
  id: link.id,
  role: link.role,
  label: link.label,
  createdAt: link.createdAt,
  expiresAt: link.expiresAt,
});

export interface LinkOptions {
  label?: string | null;
  expiresAt?: string | null;
}

/** A new link with its token, not stored yet (a board's first links are stored with the board). */
export function newLink(boardId: string, role: Role, options: LinkOptions = {}): { record: LinkRecord; created: CreatedLink } {
  const { linkId, token, secretHash } = issueToken();
  const link: LinkRecord = {
    id: linkId,
    boardId,
    role,
    label: options.label ?? null,
    secretHash,
    createdAt: new Date().toISOString(),
    expiresAt: options.expiresAt ?? null,
  };
  return { record: link, created: { ...toLinkSummary(link), token, url: boardLinkPath(boardId, token) } };
}

/** Creates a link and returns it with its token: the only time the token is ever shown. */
export async function issueLink(store: BoardStore, boardId: string, role: Role, options: LinkOptions = {}): Promise<CreatedLink> {
  const { record, created } = newLink(boardId, role, options);
  await store.createLink(record);
  return created;
}
