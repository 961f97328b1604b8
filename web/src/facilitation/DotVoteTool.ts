import { StateNode, Vec, type TLPointerEventInfo, type TLShape } from 'tldraw';
import { STORY_CARD_TYPE } from '@planboard/shared';
import { DOT_TOOL_ID, dotClickHandler, hitsMarker, readDotVoteView } from './dot-vote-view';

/**
 * The dot-voting tool, active while a dot vote is open for someone who may vote. A click (tap)
 * on a card of the vote places a dot; on a card where one dot per card is allowed, a second click
 * takes it back; elsewhere, a click on one of my dot markers (or Alt+click) takes one back. A drag
 * pans, as tldraw's hand tool does: nothing is selected, moved or edited by accident. Escape
 * returns to the select tool (the vote bar offers the way back).
 */
export class DotVoteTool extends StateNode {
  static override id = DOT_TOOL_ID;
  static override initial = 'idle';
  static override children() {
    return [DotIdle, DotPointing, DotPanning];
  }
}

class DotIdle extends StateNode {
  static override id = 'idle';

  override onEnter() {
    this.editor.setCursor({ type: 'pointer', rotation: 0 });
  }

  override onPointerDown(info: TLPointerEventInfo) {
    if (info.button !== 0) return;
    this.parent.transition('pointing', info);
  }

  override onCancel() {
    this.editor.setCurrentTool('select');
  }
}

class DotPointing extends StateNode {
  static override id = 'pointing';
  #altKey = false;

  override onEnter(info: TLPointerEventInfo) {
    this.#altKey = info.altKey;
    this.editor.stopCameraAnimation();
  }

  override onPointerMove() {
    if (this.editor.inputs.getIsDragging()) this.parent.transition('panning');
  }

  override onPointerUp() {
    this.parent.transition('idle');
    this.#click();
  }

  override onCancel() {
    this.parent.transition('idle');
  }

  override onInterrupt() {
    this.parent.transition('idle');
  }

  #click() {
    const editor = this.editor;
    const view = readDotVoteView(editor);
    const handler = dotClickHandler(editor);
    if (!view || !handler || !view.open || !view.canVote) return;
    const point = editor.inputs.getOriginPagePoint();
    let shape: TLShape | undefined = editor.getShapeAtPoint(point, { hitInside: true, margin: 4 });
    while (shape && shape.type !== STORY_CARD_TYPE) shape = editor.getShape(shape.parentId as TLShape['id']);
    // A marker hangs over the card's bottom edge: a press just below the card still means it.
    if (!shape) shape = this.#cardByMarker(point, view.mine);
    if (!shape || !view.cardIds.includes(shape.id)) return;
    const mine = view.mine[shape.id] ?? 0;
    const bounds = editor.getShapePageBounds(shape.id)!;
    const onMyDot = mine > 0 && hitsMarker(bounds, mine, editor.getZoomLevel(), point);
    const take = mine > 0 && (this.#altKey || onMyDot || view.maxPerCard === 1);
    handler(shape.id, take);
  }

  #cardByMarker(point: Vec, mine: Record<string, number>): TLShape | undefined {
    const zoom = this.editor.getZoomLevel();
    for (const [cardId, count] of Object.entries(mine)) {
      const bounds = this.editor.getShapePageBounds(cardId as TLShape['id']);
      if (count > 0 && bounds && hitsMarker(bounds, count, zoom, point)) return this.editor.getShape(cardId as TLShape['id']);
    }
    return undefined;
  }
}

/** A drag pans the view (a finger on a phone, the mouse on a laptop). */
class DotPanning extends StateNode {
  static override id = 'panning';
  #camera = new Vec();

  override onEnter() {
    this.#camera = Vec.From(this.editor.getCamera());
    this.editor.setCursor({ type: 'grabbing', rotation: 0 });
    this.#update();
  }

  override onPointerMove() {
    this.#update();
  }

  override onPointerUp() {
    this.parent.transition('idle');
  }

  override onPointerDown() {
    // A second finger: a pinch begins.
    this.parent.transition('idle');
  }

  override onCancel() {
    this.parent.transition('idle');
  }

  override onInterrupt() {
    this.parent.transition('idle');
  }

  override onExit() {
    this.editor.setCursor({ type: 'pointer', rotation: 0 });
  }

  #update() {
    const { editor } = this;
    const delta = Vec.Sub(editor.inputs.getCurrentScreenPoint(), editor.inputs.getOriginScreenPoint()).div(editor.getZoomLevel());
    if (delta.len2() > 0) editor.setCamera(this.#camera.clone().add(delta));
  }
}
