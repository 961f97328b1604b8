import { NoteShapeUtil, useValue, type Editor, type TLNoteShape } from 'tldraw';
import { PLANNING_META_KEY, STORY_MAP } from '@planboard/shared';

/** Below this zoom, cards, activities and steps switch to their far view (large, short text). */
export const FAR_ZOOM = 0.45;

function headerKind(shape: TLNoteShape): 'activity' | 'step' | null {
  const kind = (shape.meta[PLANNING_META_KEY] as { kind?: unknown } | undefined)?.kind;
  return kind === 'activity' || kind === 'step' ? kind : null;
}

/**
 * tldraw's note, with a far view for the story map's activities and steps: zoomed out (below 45%)
 * the backbone keeps a label as large as a card's far title, across its column, so the map reads
 * at 30% as well as its cards do. Other notes are tldraw's own.
 */
export class StoryMapNoteShapeUtil extends NoteShapeUtil {
  override component(shape: TLNoteShape) {
    const kind = headerKind(shape);
    return (
      <>
        {super.component(shape)}
        {kind && <FarLabel editor={this.editor} shape={shape} kind={kind} text={this.getText(shape) ?? ''} />}
      </>
    );
  }
}

function FarLabel({ editor, shape, kind, text }: { editor: Editor; shape: TLNoteShape; kind: 'activity' | 'step'; text: string }) {
  const far = useValue('far view', () => editor.getEfficientZoomLevel() < FAR_ZOOM && editor.getEditingShapeId() !== shape.id, [editor, shape.id]);
  if (!far) return null;
  return (
    <div
      className={`pb-far-header pb-far-header--${kind}`}
      data-testid={`far-${kind}`}
      // As wide as the column, so a short name is never squeezed into the small note.
      style={{ width: STORY_MAP.column - STORY_MAP.inset }}
    >
      {text || (kind === 'activity' ? 'Activity' : 'Step')}
    </div>
  );
}
