import type { BoardStore } from '../persistence/store.js';

/**
 * "Opens as a presentation": a property of a view link, kept on the server beside the link (in
 * the board's server-side data, `presenting:link:<linkId>`), not in the link's address. The
 * owner's link list shows it, and whoever opens the link cannot switch it off by editing the
 * URL. The board data goes with the board when it is deleted; a revoked link's entry goes with it.
 */
type LinkData = Pick<BoardStore, 'getBoardData' | 'setBoardData' | 'listBoardData'>;

const PREFIX = 'presenting:link:';

export async function markPresentationLink(store: LinkData, boardId: string, linkId: string): Promise<void> {
  await store.setBoardData(boardId, PREFIX + linkId, 'true');
}

export async function forgetPresentationLink(store: LinkData, boardId: string, linkId: string): Promise<void> {
  await store.setBoardData(boardId, PREFIX + linkId, null);
}

export async function opensAsPresentation(store: LinkData, boardId: string, linkId: string): Promise<boolean> {
  return (await store.getBoardData(boardId, PREFIX + linkId)) !== null;
}

/** The ids of the board's links that open as a presentation. */
export async function presentationLinkIds(store: LinkData, boardId: string): Promise<Set<string>> {
  return new Set([...(await store.listBoardData(boardId, PREFIX)).keys()].map((key) => key.slice(PREFIX.length)));
}
