/**
 * Roles and share links. Access to a board is a capability: a link carries a secret token and
 * grants one role. The server enforces roles on every route and on the websocket.
 */
export const ROLES = ['viewer', 'editor', 'owner'] as const;
export type Role = (typeof ROLES)[number];

/** Whether `role` includes everything `required` may do. */
export function hasRole(role: Role, required: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(required);
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export const LINK_LABEL_MAX_LENGTH = 100;

/** A share link as the API lists it. The token is shown once, when the link is created. */
export interface LinkSummary {
  id: string;
  role: Role;
  label: string | null;
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601, or null for a link that does not expire. */
  expiresAt: string | null;
  /** In the owner's list: how many open sessions (tabs) use the link now, on the instance that answered. */
  activeSessions?: number;
  /** A view link that opens the board as a presentation (kept on the server with the link). */
  presentation?: boolean;
}

export interface CreatedLink extends LinkSummary {
  token: string;
  /** The path a person opens: `/b/<boardId>#<token>`; the token stays in the fragment. */
  url: string;
}

export interface CreateLinkRequest {
  role: Role;
  label?: string;
  expiresAt?: string;
  /** Only for view links: whoever opens it lands in presentation mode. */
  presentation?: boolean;
}

/** The page path of a board opened through a link; the fragment is never sent to a server. */
export function boardLinkPath(boardId: string, token: string): string {
  return `/b/${boardId}#${token}`;
}
