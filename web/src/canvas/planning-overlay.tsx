import { useEditor, useValue } from 'tldraw';
import { derivePlanning, formatTotal, type Box, type StoredRecord } from '@planboard/shared';

/**
 * Live totals drawn on the canvas under each lane, like a column's sum (count and points; `points / capacity` on a
 * sprint frame, red when over), above each story-map activity and beside each roadmap theme.
 * Every client derives them from the same shapes, so they change for everyone as cards move or
 * estimates change.
 */
export function PlanningOverlay() {
  const editor = useEditor();
  // Recomputed only when shapes change (not on pointer moves or camera changes).
  const model = useValue('planning totals', () => derivePlanning(editor.getCurrentPageShapes() as unknown as StoredRecord[]), [editor]);
  const zoom = useValue('zoom', () => editor.getEfficientZoomLevel(), [editor]);
  // Labels keep a readable screen size at any zoom, like tldraw's own frame headings.
  const scale = 1 / Math.max(zoom, 0.6);

  const badge = (key: string, box: Box, anchor: 'below-right' | 'above-left' | 'below-left', text: string, className: string, testId: string, name: string) => {
    const [left, top, origin, translate] =
      anchor === 'below-right' ? [box.x + box.w, box.y + box.h + 6, 'right top', '-100%, 0']
      : anchor === 'above-left' ? [box.x, box.y - 8, 'left bottom', '0, -100%']
      : [box.x, box.y + box.h + 8, 'left top', '0, 0'];
    return (
      <div key={key} className={`pb-total ${className}`} data-testid={testId} data-name={name}
        style={{ left, top, transform: `translate(${translate}) scale(${scale})`, transformOrigin: origin }}>
        {text}
      </div>
    );
  };

  return (
    <>
      {model.lanes.map((lane) => {
        const total = model.laneTotals.get(lane.id)!;
        const className = lane.kind === 'sprint' ? (total.overCapacity ? 'pb-total--over' : 'pb-total--sprint') : '';
        return badge(lane.id, lane.box, 'below-right', formatTotal(total), className, 'lane-total', lane.name);
      })}
      {model.headers.map((header) => {
        const total = header.kind === 'activity' ? model.activityTotals.get(header.id) : header.kind === 'theme' ? model.themeTotals.get(header.id) : undefined;
        if (!total) return null;
        return badge(header.id, header.box, header.kind === 'activity' ? 'above-left' : 'below-left', formatTotal(total), '', `${header.kind}-total`, header.name);
      })}
    </>
  );
}
