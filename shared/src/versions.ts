/**
 * Versions of a board (`/api/boards/:id/history`): the board's state at a moment, kept by the
 * server. Automatic ones are taken after a spell of editing and before every change that does a
 * lot at once; named ones by hand. Named versions are kept for good, the others for the
 * server's retention period.
 */
export const VERSION_KINDS = ['automatic', 'named', 'before-import', 'before-template', 'before-restore'] as const;
export type VersionKind = (typeof VERSION_KINDS)[number];

export const VERSION_NAME_MAX_LENGTH = 100;

export interface VersionSummary {
  id: string;
  kind: VersionKind;
  /** Set for named versions (kept for good); null for the automatic kinds. */
  name: string | null;
  /** ISO 8601. */
  createdAt: string;
  /** Display names of who was on the board while the changes it holds were made. */
  people: string[];
  /** Size of the stored state in bytes. */
  bytes: number;
  /** For a `before-restore` version: the version whose restore it precedes (undoing that restore goes back to this one). */
  restoredVersionId: string | null;
}

export interface VersionList {
  versions: VersionSummary[];
  /** Days an unnamed version is kept. */
  retentionDays: number;
}

export interface CreateVersionRequest {
  /** `named` (the default) needs a name; `before-template` is taken by the web app before it inserts a template. */
  kind?: 'named' | 'before-template';
  name?: string;
}

/** `POST …/history/:versionId/restore`: the restored version and the one taken just before, which undoes it. */
export interface RestoreResult {
  restored: VersionSummary;
  undo: VersionSummary;
}

/** What people read for a version without a name. */
export function versionLabel(version: Pick<VersionSummary, 'kind' | 'name'>): string {
  if (version.name) return version.name;
  switch (version.kind) {
    case 'automatic':
      return 'Automatic version';
    case 'before-import':
      return 'Before CSV import';
    case 'before-template':
      return 'Before template insert';
    case 'before-restore':
      return 'Before restore';
    case 'named':
      return 'Named version';
  }
}
