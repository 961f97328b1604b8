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

/** Creates a link and returns it with its token: the only time the token is ever shown. */
export async function issueLink(
  store: BoardStore,
  boardId: string,
  role: Role,
  options: { label?: string | null; expiresAt?: string | null } = {},
): Promise<CreatedLink> {
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
  await store.createLink(link);
  return { ...toLinkSummary(link), token, url: boardLinkPath(boardId, token) };
}
