import { useEffect, useRef } from 'react';
import { HTMLContainer, Rectangle2d, ShapeUtil, StateNode, createShapeId, useValue, type Editor, type TLShape } from 'tldraw';
import {
  PRIORITY_LABELS,
  STATUS_LABELS,
  STORY_CARD_SIZE,
  STORY_CARD_TYPE,
  assigneeInitials,
  defaultStoryCardProps,
  storyCardMigrations,
  storyCardProps,
  type CardStatus,
  type StoryCardProps,
} from '@planboard/shared';

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
  const isEditing = useValue('editing', () => editor.getEditingShapeId() === shape.id, [editor, shape.id]);
  const zoomedOut = useValue('zoomed out', () => editor.getEfficientZoomLevel() < 0.45, [editor]);
  const estimate = props.estimate === 'none' ? '–' : props.estimate;
  const initials = assigneeInitials(props.assignee);

  return (
    <HTMLContainer
      className="pb-card"
      data-testid="story-card"
      data-card-id={shape.id}
      data-estimate={props.estimate}
      style={{ width: STORY_CARD_SIZE.w, height: STORY_CARD_SIZE.h, borderLeftColor: STATUS_COLORS[props.status], pointerEvents: isEditing ? 'all' : undefined }}
    >
      {zoomedOut && !isEditing ? (
        <div className="pb-card__far">
          <div className="pb-card__far-title">{props.title || 'Untitled'}</div>
          <span className="pb-card__estimate pb-card__estimate--far">{estimate}</span>
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
            <TitleEditor shape={shape} util={util} />
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
    </HTMLContainer>
  );
}

/** Inline title editing (double-click, or right after the card is placed); Enter or Escape ends it, as does a click elsewhere. */
function TitleEditor({ shape, util }: { shape: StoryCard; util: StoryCardShapeUtil }) {
  const editor = util.editor;
  const input = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    const element = input.current;
    if (!element) return;
    element.focus();
    element.select();
  }, []);
  return (
    <textarea
      ref={input}
      className="pb-card__title pb-card__title-input"
      data-testid="card-title-input"
      aria-label="Story title"
      maxLength={300}
      defaultValue={shape.props.title}
      onPointerDown={(event) => event.stopPropagation()}
      onChange={(event) => editor.updateShape({ id: shape.id, type: STORY_CARD_TYPE, props: { title: event.currentTarget.value.replace(/\n/g, ' ') } })}
      onKeyDown={(event) => {
        // Enter or Escape finish the title, like a sticky note's Ctrl+Enter; Shift+Enter is ignored (one line).
        if (event.key === 'Enter' || event.key === 'Escape') {
          event.preventDefault();
          event.stopPropagation();
          editor.complete();
        }
      }}
    />
  );
}

/** Toolbar tool (shortcut C): click on the canvas to place a card and type its title. */
export class StoryCardTool extends StateNode {
  static override id = STORY_CARD_TYPE;

  override onEnter() {
    this.editor.setCursor({ type: 'cross', rotation: 0 });
  }

  override onPointerDown() {
    const point = this.editor.inputs.getCurrentPagePoint();
    placeStoryCard(this.editor, { x: point.x - STORY_CARD_SIZE.w / 2, y: point.y - STORY_CARD_SIZE.h / 2 });
  }

  override onCancel() {
    this.editor.setCurrentTool('select');
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
  editor.select(id);
  // Straight into typing the title, the way tldraw's own note tool does it.
  const shape = editor.getShape(id)!;
  editor.setEditingShape(shape);
  editor.setCurrentTool('select.editing_shape', { target: 'shape', shape });
  return id;
}
