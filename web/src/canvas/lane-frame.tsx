import { FrameShapeUtil, computed, useValue, type Computed, type Editor, type SvgExportContext, type TLFrameShape } from 'tldraw';
import { derivePlanning, formatTotal, type LaneTotal, type PlanningModel, type StoredRecord } from '@planboard/shared';

const models = new WeakMap<Editor, Computed<PlanningModel>>();

/** The planning model of the current page, derived once per change and shared by every lane. */
export function planningOf(editor: Editor): PlanningModel {
  let model = models.get(editor);
  if (!model) {
    model = computed('planning model', () => derivePlanning(editor.getCurrentPageShapes() as unknown as StoredRecord[]));
    models.set(editor, model);
  }
  return model.get();
}

/** Why a sprint frame is red, in words. */
function overText(total: LaneTotal): string {
  return `${total.points - (total.capacity ?? 0)} pts over capacity`;
}

function laneTotalHint(total: LaneTotal): string {
  const parts = [`${total.count} ${total.count === 1 ? 'card' : 'cards'}, ${total.points} story points`];
  if (total.capacity !== null) parts.push(`capacity ${total.capacity}${total.overCapacity ? ` (${total.points - total.capacity} over)` : ''}`);
  if (total.unestimated > 0) parts.push(`${total.unestimated} ${total.unestimated === 1 ? 'card has' : 'cards have'} no estimate (or "?") and count no points`);
  return parts.join('; ');
}

function totalClass(total: LaneTotal): string {
  return total.overCapacity ? 'pb-total--over' : total.capacity !== null ? 'pb-total--sprint' : '';
}

/**
 * tldraw's frame, as Planboard's lane: the lane's total sits in a header band along the frame's
 * top edge, on the same row as the frame's name (and, like the name, at a readable size at any
 * zoom); a sprint frame over capacity is coloured as a whole. Exported images get the same header
 * and colour (tldraw renders `toSvg` for exports), so a PNG of a sprint shows its totals.
 */
export class LaneFrameShapeUtil extends FrameShapeUtil {
  override component(shape: TLFrameShape) {
    return (
      <>
        {super.component(shape)}
        <LaneHeader shape={shape} editor={this.editor} />
      </>
    );
  }

  override toSvg(shape: TLFrameShape, ctx: SvgExportContext) {
    const frame = super.toSvg(shape, ctx);
    const total = planningOf(this.editor).laneTotals.get(shape.id);
    if (!total) return frame;
    const over = total.overCapacity;
    const text = formatTotal(total) + (over ? ` · ${overText(total)}` : '');
    // The heading row tldraw exports is 32 page units tall above the frame's top edge.
    const width = Math.min(text.length * 7.2 + 20, shape.props.w);
    return (
      <>
        {frame}
        {over && <rect width={shape.props.w} height={shape.props.h} fill="#fa5252" fillOpacity={0.07} stroke="#e03131" strokeWidth={4} />}
        <g transform={`translate(${shape.props.w - width}, -28)`}>
          <rect width={width} height={22} rx={11} ry={11} fill={over ? '#fff5f5' : total.capacity !== null ? '#e7f5ff' : '#f1f3f5'} stroke={over ? '#ffa8a8' : total.capacity !== null ? '#a5d8ff' : '#dee2e6'} />
          <text x={width / 2} y={15} textAnchor="middle" fontSize={12} fontWeight={600} fontFamily="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif" fill={over ? '#c92a2a' : total.capacity !== null ? '#1864ab' : '#343a40'}>
            {text}
          </text>
        </g>
      </>
    );
  }
}

function LaneHeader({ shape, editor }: { shape: TLFrameShape; editor: Editor }) {
  const total = useValue('lane total', () => planningOf(editor).laneTotals.get(shape.id) ?? null, [editor, shape.id]);
  if (!total) return null;
  const name = shape.props.name;
  const nameRoom = Math.min(name.length, 40) * 7 + 24;
  const text = formatTotal(total);
  return (
    <>
      {total.overCapacity && <div className="pb-lane-over" data-testid="lane-over-capacity" data-name={name} />}
      <div
        className="pb-lane-header"
        data-testid="lane-header"
        data-name={name}
        // As wide as the frame on screen, as tall as tldraw's heading, scaled like it; the frame's
        // name (tldraw's heading) keeps its room on the left; a lane narrow on screen cuts its
        // total short with an ellipsis (the whole of it is in the tooltip).
        style={{ width: `calc(var(--tl-zoom) * ${Math.ceil(shape.props.w)}px)`, paddingLeft: nameRoom }}
      >
        {total.overCapacity && <span className="pb-lane-over-label">{overText(total)}</span>}
        <span className={`pb-total ${totalClass(total)}`} data-testid="lane-total" data-name={name} data-total={text} title={laneTotalHint(total)}>
          {text}
        </span>
      </div>
    </>
  );
}
