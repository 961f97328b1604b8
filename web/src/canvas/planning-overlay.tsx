import { useEditor, useValue, type TLShapeId } from 'tldraw';
import { STORY_MAP, formatTotal, type Box } from '@planboard/shared';
import { planningOf } from './lane-frame';
import { readHighlight } from './reveal';
import { CardDotMarkers } from '../facilitation/CardDotMarkers';

/**
 * Live totals drawn on the canvas above each story-map activity and beside each roadmap theme
 * (a lane's own total is in its header: see lane-frame.tsx), and the brief highlight of what the
 * UI has just added. Every client derives the totals from the same shapes, so they change for
 * everyone as cards move or estimates change.
 */
/** About the width of one character of a total (12 px, bold, system font), with its padding spread over. */
const TOTAL_CHAR_PX = 7;

export function PlanningOverlay() {
  const editor = useEditor();
  // Recomputed only when shapes change (not on pointer moves or camera changes).
  const model = useValue('planning totals', () => planningOf(editor), [editor]);
  const zoom = useValue('zoom', () => editor.getEfficientZoomLevel(), [editor]);
  // Labels keep a readable screen size at any zoom, like tldraw's own frame headings.
  const scale = 1 / Math.max(zoom, 0.3);

  const badge = (key: string, box: Box, anchor: 'above-left' | 'below-left', text: string, testId: string, name: string, hint: string) => {
    const [left, top, origin, translate] = anchor === 'above-left' ? [box.x, box.y - 8, 'left bottom', '0, -100%'] : [box.x, box.y + box.h + 8, 'left top', '0, 0'];
    return (
      <div key={key} className="pb-total pb-total--header" data-testid={testId} data-name={name} data-total={hint} title={hint}
        // Never wider than its column, so neighbouring activities' totals do not run into each other.
        style={{ left, top, maxWidth: (STORY_MAP.column - 16) / scale, whiteSpace: text === hint ? undefined : 'nowrap', transform: `translate(${translate}) scale(${scale})`, transformOrigin: origin }}>
        {text}
      </div>
    );
  };

  return (
    <>
      {model.headers.map((header) => {
        const total = header.kind === 'activity' ? model.activityTotals.get(header.id) : header.kind === 'theme' ? model.themeTotals.get(header.id) : undefined;
        if (!total) return null;
        // Zoomed out, an activity's column is narrow on screen: rather than wrapping onto three or
        // four lines, its total shows the points only (the whole total is in the tooltip and data-total).
        const full = formatTotal(total);
        const room = (STORY_MAP.column - 16) / scale;
        const text = header.kind === 'activity' && full.length * TOTAL_CHAR_PX > room ? `${total.points} pts` : full;
        return badge(header.id, header.box, header.kind === 'activity' ? 'above-left' : 'below-left', text, `${header.kind}-total`, header.name, full);
      })}
      <RevealHighlights />
      <CardDotMarkers />
    </>
  );
}

/** A short pulse around shapes the UI has just added (see reveal.ts). */
function RevealHighlights() {
  const editor = useEditor();
  const boxes = useValue(
    'highlighted shapes',
    () => {
      const highlight = readHighlight(editor);
      if (!highlight) return [];
      return highlight.ids.flatMap((id) => {
        const box = editor.getShapePageBounds(id as TLShapeId);
        return box ? [{ id, x: box.x, y: box.y, w: box.w, h: box.h }] : [];
      });
    },
    [editor],
  );
  return (
    <>
      {boxes.map((box) => (
        <div key={box.id} className="pb-highlight" data-testid="highlight" data-shape-id={box.id}
          style={{ left: box.x, top: box.y, width: box.w, height: box.h }} />
      ))}
    </>
  );
}
