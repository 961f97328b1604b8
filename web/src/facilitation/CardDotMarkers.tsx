import { DefaultCursor, useEditor, useValue, type TLCursorProps, type TLShapeId } from 'tldraw';
import { dotMarkers, readDotVoteView } from './dot-vote-view';

/**
 * The dot vote on the canvas, drawn over the cards (page space, this browser only): a dashed
 * outline around each card in the vote while dots can be placed, my own dots as stickers on each
 * card's bottom edge, and the count on its top-left corner once the facilitator reveals it (or live, when chosen).
 */
export function CardDotMarkers() {
  const editor = useEditor();
  const view = useValue('dot vote view', () => readDotVoteView(editor), [editor]);
  const zoom = useValue('zoom', () => editor.getZoomLevel(), [editor]);
  const cards = useValue(
    'dot vote cards',
    () => (view ? view.cardIds.flatMap((id) => {
      const box = editor.getShapePageBounds(id as TLShapeId);
      return box ? [{ id, x: box.x, y: box.y, w: box.w, h: box.h }] : [];
    }) : []),
    [editor, view],
  );
  if (!view) return null;
  const outline = view.open && view.canVote;
  return (
    <>
      {cards.map((card) => {
        const mine = view.mine[card.id] ?? 0;
        const markers = dotMarkers(card, view.revealed ? 0 : mine, zoom);
        const count = view.counts?.[card.id];
        const pill = markers.scale;
        return (
          <div key={card.id} data-testid="card-dots" data-card-id={card.id} data-mine={mine} data-count={count ?? ''}>
            {outline && <div className="pb-dot-outline" style={{ left: card.x - 5, top: card.y - 5, width: card.w + 10, height: card.h + 10, borderWidth: 2 / Math.max(zoom, 0.2) }} />}
            {markers.centers.map((c, i) => (
              <div key={i} className="pb-dot-marker" data-testid="my-dot"
                style={{ left: c.x - markers.r, top: c.y - markers.r, width: markers.r * 2, height: markers.r * 2, borderWidth: 2 * markers.scale }} />
            ))}
            {markers.more > 0 && (
              <div className="pb-dot-more" style={{ left: markers.centers.at(-1)!.x + markers.r + 4 * pill, top: card.y + card.h - 9 * pill, fontSize: 13 * pill }}>+{markers.more}</div>
            )}
            {count !== undefined && (
              <div className="pb-dot-count" data-testid="card-dot-count" title={`${count} dots`}
                // On the card's top-left corner: the estimate has the top-right one.
                style={{ left: card.x - 10 * pill, top: card.y - 12 * pill, transform: `scale(${pill})` }}>
                {count}
              </div>
            )}
          </div>
        );
      })}
    </>
  );
}

/**
 * Others' cursors, except while dots can be placed: a cursor resting on a card as its owner
 * clicks would tell everyone where they voted.
 */
export function CursorOutsideDotVote(props: TLCursorProps) {
  const editor = useEditor();
  const voting = useValue('dot vote open', () => readDotVoteView(editor)?.open ?? false, [editor]);
  return voting ? null : <DefaultCursor {...props} />;
}
