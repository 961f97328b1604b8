import type { Editor, TLUserId } from 'tldraw';

/**
 * Bringing people to someone's view, through tldraw's presence: `instance_presence` records carry
 * each participant's camera and screen size, and tldraw's follow mode keeps a camera on a leader's.
 * Only types are imported from tldraw, so the shell does not load the canvas bundle.
 */
export function presenceOf(editor: Editor, userId: string) {
  return editor.getCollaborators().find((presence) => presence.userId === userId) ?? null;
}

/** Moves the camera once to show what `userId` sees; false if their presence is not known yet. */
export function jumpToView(editor: Editor, userId: string): boolean {
  const presence = presenceOf(editor, userId);
  if (!presence?.camera || !presence.screenBounds) return false;
  const { x, y, z } = presence.camera;
  // A page point p is on screen at (p + camera) * zoom: their viewport in page space.
  const bounds = { x: -x, y: -y, w: presence.screenBounds.w / z, h: presence.screenBounds.h / z };
  if (presence.currentPageId !== editor.getCurrentPageId() && editor.getPage(presence.currentPageId)) editor.setCurrentPage(presence.currentPageId);
  editor.zoomToBounds(bounds, { animation: { duration: 300 }, inset: 0 });
  return true;
}

export function follow(editor: Editor, userId: string): boolean {
  if (!presenceOf(editor, userId)) return false;
  editor.startFollowingUser(userId as TLUserId);
  return editor.getInstanceState().followingUserId === userId;
}

export function unfollow(editor: Editor): void {
  if (editor.getInstanceState().followingUserId) editor.stopFollowingUser();
}

export function followingUserId(editor: Editor): string | null {
  return editor.getInstanceState().followingUserId;
}
