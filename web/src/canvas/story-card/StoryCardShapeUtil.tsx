import {
  HTMLContainer,
  Rectangle2d,
  ShapeUtil,
  StateNode,
  createShapeId,
  useEditablePlainText,
  useSvgExportContext,
  useValue,
  type Editor,
  type TLPointerEventInfo,
  type TLShape,
} from 'tldraw';
import {
  PRIORITY_LABELS,
  STATUS_LABELS,
  STORY_CARD_SIZE,
  STORY_CARD_TYPE,
  assigneeInitials,
  defaultStoryCardProps,
  storyCardMigrations,
  storyCardProps,
  stripControlCharacters,
  type CardStatus,
  type StoryCardProps,
} from '@planboard/shared';
import { FAR_ZOOM } from '../story-map-notes';

type StoryCard = TLShape<typeof STORY_CARD_TYPE>;

export const STATUS_COLORS: Record<CardStatus, string> = { todo: '#868e96', 'in-progress': '#1c7ed6', done: '#2f9e44', blocked: '#e03131' };
const PRIORITY_MARKS = { none: '', low: '↓', medium: '=', high: '↑', urgent: '⇈' } as const;

/** The story card on the canvas: a compact work item, readable at 100% and at a glance zoomed out. */
export class StoryCardShapeUtil extends ShapeUtil<StoryCard> {
  static override type = STORY_CARD_TYPE;
  static override props = storyCardProps;
  static override migrations = storyCardMigrations;

  getDefaultProps(): StoryCardProps {
    return defaultStoryCardProps();
  }

  getGeometry() {
    return new Rectangle2d({ width: STORY_CARD_SIZE.w, height: STORY_CARD_SIZE.h, isFilled: true });
  }

  override canEdit() {
    return true;
  }

  override canResize() {
    return false;
  }

  override hideRotateHandle() {
    return true;
  }

  component(shape: StoryCard) {
    return <StoryCardView shape={shape} util={this} />;
  }

  getIndicatorPath() {
    const path = new Path2D();
    path.roundRect(0, 0, STORY_CARD_SIZE.w, STORY_CARD_SIZE.h, 8);
    return path;
  }
}

function StoryCardView({ shape, util }: { shape: StoryCard; util: StoryCardShapeUtil }) {
  const editor = util.editor;
  const props = shape.props;
  const isSelected = useValue('selected', () => editor.getOnlySelectedShapeId() === shape.id, [editor, shape.id]);
  // Exported images always show the near view: the whole title, at any zoom the person is at.
  const isExporting = useSvgExportContext() !== null;
  const zoomed = useValue('zoomed out', () => editor.getEfficientZoomLevel() < FAR_ZOOM, [editor]);
  const zoomedOut = zoomed && !isExporting;
  // tldraw's own plain-text editing: focus, select-all events, paste and pointer hand-off.
  const editable = useEditablePlainText(shape.id, STORY_CARD_TYPE as never, props.title);
  const { isEditing } = editable;
  const estimate = props.estimate === 'none' ? '–' : props.estimate;
  const initials = assigneeInitials(props.assignee);

  return (
    <HTMLContainer
      className="pb-card"
      data-testid="story-card"
      data-card-id={shape.id}
      data-estimate={props.estimate}
      data-editing={isEditing}
      style={{ width: STORY_CARD_SIZE.w, height: STORY_CARD_SIZE.h, borderLeftColor: STATUS_COLORS[props.status] }}
    >
      {zoomedOut && !isEditing ? (
        <div className="pb-card__far" style={farTitleStyle(props.title)}>
          <span className="pb-card__estimate pb-card__estimate--far">{estimate}</span>
          <span className="pb-card__far-title">{props.title || 'Untitled'}</span>
        </div>
      ) : (
        <>
          <div className="pb-card__top">
            <span className="pb-card__key">{props.externalKey}</span>
            <span className="pb-card__status" style={{ color: STATUS_COLORS[props.status] }}>{STATUS_LABELS[props.status]}</span>
            {props.priority !== 'none' && <span className={`pb-card__priority pb-card__priority--${props.priority}`} title={PRIORITY_LABELS[props.priority]}>{PRIORITY_MARKS[props.priority]}</span>}
            <span className="pb-card__estimate" data-testid="card-estimate" title="Story points">{estimate}</span>
          </div>
          {isEditing ? (
            <div className="pb-card__title pb-card__title--editing" aria-hidden>{props.title}</div>
          ) : (
            <div className={`pb-card__title${props.title ? '' : ' pb-card__title--empty'}`}>{props.title || 'Double-click to name this story'}</div>
          )}
          <div className="pb-card__bottom">
            <span className="pb-card__labels">
              {props.labels.slice(0, 3).map((label) => <span key={label} className="pb-card__label">{label}</span>)}
              {props.labels.length > 3 && <span className="pb-card__label">+{props.labels.length - 3}</span>}
            </span>
            {props.votes > 0 && <span className="pb-card__votes" title="Votes">● {props.votes}</span>}
            {initials && <span className="pb-card__avatar" title={props.assignee}>{initials}</span>}
          </div>
        </>
      )}
      {(isSelected || isEditing) && !isExporting && <TitleInput shape={shape} editor={editor} editable={editable} />}
    </HTMLContainer>
  );
}

/**
 * The far view's font size and height: 26 px, smaller when the title's longest word would not fit
 * beside the estimate (words are never broken), and as many whole lines as the card holds.
 */
function farTitleStyle(title: string): { fontSize: number; maxHeight: number } {
  const longest = Math.max(1, ...title.split(/\s+/).map((word) => word.length));
  const width = STORY_CARD_SIZE.w - 26; // inside the card's padding and border
  const fontSize = Math.max(14, Math.min(26, Math.floor(width / (longest * 0.62 + 1.7))));
  const line = fontSize * 1.15;
  return { fontSize, maxHeight: Math.floor((STORY_CARD_SIZE.h - 22) / line) * line };
}

/**
 * The title's text area, laid over the card while it is selected (transparent and disabled until
 * editing), as tldraw does for its own labels: the second press of a double-click lands on it, so
 * the browser's own focus-on-press goes to the text area rather than back to the canvas (which is
 * what took the keyboard away when the text area only appeared once editing had started). Enter or
 * Escape ends editing, as does a click elsewhere.
 */
function TitleInput({ shape, editor, editable }: { shape: StoryCard; editor: Editor; editable: ReturnType<typeof useEditablePlainText> }) {
  const { rInput, isEditing, handleInputPointerDown, handleDoubleClick, handlePaste, handleFocus, handleBlur } = editable;
  return (
    <textarea
      ref={rInput}
      className="pb-card__title pb-card__title-input"
      data-testid={isEditing ? 'card-title-input' : undefined}
      aria-label="Story title"
      tabIndex={-1}
      disabled={!isEditing}
      readOnly={!isEditing}
      maxLength={300}
      autoComplete="off"
      spellCheck
      defaultValue={shape.props.title}
      onFocus={handleFocus}
      onBlur={handleBlur}
      onPointerDown={handleInputPointerDown}
      onDoubleClick={handleDoubleClick}
      onPaste={handlePaste}
      onTouchEnd={editor.markEventAsHandled}
      onChange={(event) => {
        if (editor.getEditingShapeId() !== shape.id) return;
        editor.updateShape({ id: shape.id, type: STORY_CARD_TYPE, props: { title: stripControlCharacters(event.currentTarget.value) } });
      }}
      onKeyDown={(event) => {
        // Enter or Escape finish the title (one line); tldraw's own notes finish on Ctrl+Enter.
        if (event.key === 'Enter' || event.key === 'Escape') {
          event.preventDefault();
          event.stopPropagation();
          editor.complete();
        }
      }}
    />
  );
}

/**
 * Toolbar tool (shortcut C): press and release on the canvas to place a card and type its title.
 * Like tldraw's note tool, editing starts on the release: started on the press, the browser's
 * focus-on-press would move the keyboard back to the canvas right after the title box took it.
 */
class StoryCardIdle extends StateNode {
  static override id = 'idle';

  override onEnter() {
    this.editor.setCursor({ type: 'cross', rotation: 0 });
  }

  override onPointerDown(info: TLPointerEventInfo) {
    this.parent.transition('pointing', info);
  }

  override onCancel() {
    this.editor.setCurrentTool('select');
  }
}

class StoryCardPointing extends StateNode {
  static override id = 'pointing';

  override onPointerUp() {
    const point = this.editor.inputs.getOriginPagePoint();
    placeStoryCard(this.editor, { x: point.x - STORY_CARD_SIZE.w / 2, y: point.y - STORY_CARD_SIZE.h / 2 });
  }

  override onCancel() {
    this.parent.transition('idle');
  }

  override onInterrupt() {
    this.parent.transition('idle');
  }
}

export class StoryCardTool extends StateNode {
  static override id = STORY_CARD_TYPE;
  static override initial = 'idle';
  static override children() {
    return [StoryCardIdle, StoryCardPointing];
  }
}

/** Creates a card at a page point, inside the frame (lane) under its centre, and edits its title. */
export function placeStoryCard(editor: Editor, at: { x: number; y: number }) {
  const id = createShapeId();
  const center = { x: at.x + STORY_CARD_SIZE.w / 2, y: at.y + STORY_CARD_SIZE.h / 2 };
  const lane = editor.getShapeAtPoint(center, { hitInside: true, filter: (shape) => shape.type === 'frame' });
  editor.markHistoryStoppingPoint('create story card');
  editor.createShape({ id, type: STORY_CARD_TYPE, x: at.x, y: at.y });
  if (lane) editor.reparentShapes([id], lane.id);
  // Straight into typing the title, the way tldraw's note tool does it after the release.
  const shape = editor.getShape(id)!;
  editor.select(id);
  editor.setEditingShape(id);
  editor.setCurrentTool('select.editing_shape', { target: 'shape', shape });
  return id;
}
