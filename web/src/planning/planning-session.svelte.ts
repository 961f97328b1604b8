import type * as Y from 'yjs';
import type { Editor, TLShapeId, TLShapePartial } from 'tldraw';
import {
  PAGE_ID,
  PLANNING_META_KEY,
  STORY_CARD_TYPE,
  addActivity,
  addRelease,
  addStep,
  buildTemplate,
  nextReleaseName,
  derivePlanning,
  getRecordsMap,
  type PlanningModel,
  type StoredRecord,
  type StoryCardProps,
  type StoryMapChange,
  type TemplateId,
} from '@planboard/shared';
import { revealShapes } from '../canvas/reveal';

/**
 * The planning view of one open board: cards, lanes, membership and totals, derived from the
 * board's Y.Doc (never a second copy), plus the canvas selection. The backlog table, the card
 * panel and the totals read from here; edits go through the tldraw editor (undoable, validated)
 * and so into the Y.Doc, like any canvas change.
 *
 * Only `import type` from tldraw here: the shell must not pull the canvas bundle in.
 */
export class PlanningSession {
  model = $state.raw<PlanningModel>(derivePlanning([]));
  editor = $state.raw<Editor | null>(null);
  selectedIds = $state.raw<string[]>([]);
  readonly canEdit: boolean;

  readonly #records: Y.Map<StoredRecord>;
  #frame = 0;
  #stopSelection: (() => void) | null = null;

  constructor(doc: Y.Doc, options: { canEdit: boolean }) {
    this.canEdit = options.canEdit;
    this.#records = getRecordsMap(doc);
    this.#records.observe(this.#schedule);
    this.#recompute();
  }

  /** Recomputing at most once a frame keeps a drag of many cards smooth on big boards. */
  #schedule = () => {
    if (this.#frame) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.#recompute();
    });
  };

  #recompute() {
    this.model = derivePlanning(this.#records.values());
  }

  attachEditor(editor: Editor): void {
    this.editor = editor;
    const read = () => {
      const ids = editor.getSelectedShapeIds() as string[];
      if (ids.length !== this.selectedIds.length || ids.some((id, i) => id !== this.selectedIds[i])) this.selectedIds = ids;
    };
    read();
    this.#stopSelection = editor.store.listen(read, { scope: 'session' });
  }

  get selectedCards() {
    return this.model.cards.filter((card) => this.selectedIds.includes(card.id));
  }

  get selectedLanes() {
    return this.model.lanes.filter((lane) => this.selectedIds.includes(lane.id));
  }

  /** Changes fields of cards on every canvas and table at once (one undoable step). */
  updateCards(ids: string[], patch: Partial<StoryCardProps>): void {
    const editor = this.editor;
    if (!editor || !this.canEdit || ids.length === 0) return;
    editor.markHistoryStoppingPoint('edit cards');
    editor.updateShapes(
      ids.map((id) => ({ id: id as TLShapeId, type: STORY_CARD_TYPE, props: patch }) as TLShapePartial),
    );
  }

  setCapacity(laneId: string, capacity: number): void {
    const editor = this.editor;
    if (!editor || !this.canEdit) return;
    editor.markHistoryStoppingPoint('set capacity');
    editor.updateShape({ id: laneId as TLShapeId, type: 'frame', meta: { [PLANNING_META_KEY]: { kind: 'sprint', capacity } } } as TLShapePartial);
  }

  /** Grows the story map: a new activity, a step under the selected activity, or a release. */
  extendStoryMap(what: 'activity' | 'step' | 'release', activityId?: string): void {
    const editor = this.editor;
    if (!editor || !this.canEdit) return;
    const index = editor.getHighestIndexForParent(PAGE_ID as never);
    const change: StoryMapChange =
      what === 'activity' ? addActivity(this.model, 'New activity', index)
      : what === 'release' ? addRelease(this.model, nextReleaseName(this.model), index)
      : addStep(this.model, activityId ?? '', 'New step', index);
    editor.markHistoryStoppingPoint(`add ${what}`);
    editor.run(() => {
      for (const { id, dx } of change.move) {
        const shape = editor.getShape(id as TLShapeId);
        if (shape) editor.updateShape({ id: shape.id, type: shape.type, x: shape.x + dx } as TLShapePartial);
      }
      for (const { id, w } of change.resize) editor.updateShape({ id: id as TLShapeId, type: 'frame', props: { w } } as TLShapePartial);
      editor.createShapes(change.create.map(({ typeName: _typeName, ...shape }) => shape as unknown as TLShapePartial));
    });
    const created = change.create[0];
    if (created) editor.select(created.id as TLShapeId);
    void revealShapes(editor, change.create.map((shape) => shape.id));
  }

  /** Brings shapes the board just received from this person's action (imported cards) into view, briefly highlighted. */
  reveal(ids: string[]): void {
    if (this.editor && ids.length > 0) void revealShapes(this.editor, ids);
  }

  /** Adds a template's lanes and headers to the right of what the board already holds. */
  insertTemplate(id: TemplateId): void {
    const editor = this.editor;
    if (!editor || !this.canEdit) return;
    const content = editor.getCurrentPageBounds();
    const origin = content ? { x: content.maxX + 200, y: content.minY } : { x: 0, y: 0 };
    // Without an index, tldraw stacks each new shape above everything, in the order given.
    const shapes = buildTemplate(id, origin).map(({ typeName: _typeName, index: _index, ...shape }) => shape as unknown as TLShapePartial);
    if (shapes.length === 0) return;
    editor.markHistoryStoppingPoint(`insert ${id}`);
    editor.createShapes(shapes);
    editor.select(...shapes.map((shape) => shape.id));
    void revealShapes(editor, shapes.map((shape) => shape.id as string));
  }

  /**
   * Selects a card on the canvas and brings it to the middle of the part of the canvas that is
   * not covered by a panel `coveredRight` pixels wide, at a zoom where it reads well.
   */
  focusCard(id: string, coveredRight = 0): void {
    const editor = this.editor;
    const bounds = editor?.getShapePageBounds(id as TLShapeId);
    if (!editor || !bounds) return;
    editor.select(id as TLShapeId);
    const viewport = editor.getViewportScreenBounds();
    const zoom = Math.min(Math.max(editor.getZoomLevel(), 0.75), 1.25);
    const visibleWidth = Math.max(viewport.w - coveredRight, viewport.w / 3);
    editor.setCamera(
      { x: visibleWidth / 2 / zoom - bounds.center.x, y: viewport.h / 2 / zoom - bounds.center.y, z: zoom },
      { animation: { duration: 220 } },
    );
  }

  destroy(): void {
    this.#records.unobserve(this.#schedule);
    if (this.#frame) cancelAnimationFrame(this.#frame);
    this.#stopSelection?.();
  }
}
