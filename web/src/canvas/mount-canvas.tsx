import { createRoot } from 'react-dom/client';
import {
  DefaultToolbar,
  DefaultToolbarContent,
  Tldraw,
  TldrawUiMenuItem,
  createTLStore,
  defaultBindingUtils,
  defaultShapeUtils,
  setUserPreferences,
  useIsToolSelected,
  useTools,
  type Editor,
  type TLAssetStore,
  type TLComponents,
  type TLUiOverrides,
} from 'tldraw';
import 'tldraw/tldraw.css';
import './story-card/story-card.css';
import { getAssetUrlsByImport } from '@tldraw/assets/imports.vite';
import type * as Y from 'yjs';
import type { Awareness } from 'y-protocols/awareness';
import type { PresenceUser } from '@planboard/shared';
import { bindStoreToDoc } from './yjs-binding';
import { bindPresence } from './presence-binding';
import { StoryCardShapeUtil, StoryCardTool } from './story-card/StoryCardShapeUtil';
import { PlanningOverlay } from './planning-overlay';
import { LaneFrameShapeUtil } from './lane-frame';
import { StoryMapNoteShapeUtil } from './story-map-notes';
import { manageFirstView } from './first-view';
import { DotVoteTool } from '../facilitation/DotVoteTool';
import { CursorOutsideDotVote } from '../facilitation/CardDotMarkers';

// Planboard's lanes and story-map headers are tldraw's frame and note, extended (same type, so
// boards and other clients see ordinary frames and notes); the story card is our own shape.
const customShapeUtils = [StoryCardShapeUtil, LaneFrameShapeUtil, StoryMapNoteShapeUtil];
const replacedTypes = new Set(customShapeUtils.map((util) => util.type));
const tools = [StoryCardTool, DotVoteTool];

// The story card is a tool like tldraw's own: in the toolbar, and on the C key.
const overrides: TLUiOverrides = {
  tools(editor, tools) {
    tools[StoryCardTool.id] = {
      id: StoryCardTool.id,
      icon: 'bookmark',
      label: 'Story card',
      kbd: 'c',
      onSelect: () => editor.setCurrentTool(StoryCardTool.id),
    };
    return tools;
  },
};

function Toolbar() {
  const tools = useTools();
  const card = tools[StoryCardTool.id]!;
  const selected = useIsToolSelected(card);
  return (
    <DefaultToolbar>
      <TldrawUiMenuItem {...card} isSelected={selected} />
      <DefaultToolbarContent />
    </DefaultToolbar>
  );
}

const components: TLComponents = { Toolbar, OnTheCanvas: PlanningOverlay, CollaboratorCursor: CursorOutsideDotVote };

// Fonts, icons and translations are served by Planboard itself: no request leaves the origin.
const assetUrls = getAssetUrlsByImport();

/** Pasted and dropped images are kept in the board itself as data URLs: nothing to host. */
const dataUrlAssets: TLAssetStore = {
  async upload(_asset, file) {
    const src = await new Promise<string>((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(reader.result as string);
      reader.onerror = () => reject(reader.error);
      reader.readAsDataURL(file);
    });
    return { src };
  },
  resolve: (asset) => asset.props.src,
};

export interface CanvasOptions {
  doc: Y.Doc;
  awareness: Awareness;
  user: PresenceUser;
  readonly: boolean;
  licenseKey: string | null;
  /** The view of each board is remembered per board in this browser. */
  boardId?: string;
  onEditor?: (editor: Editor) => void;
}

/** Mounts the tldraw editor, bound to the board's Y.Doc, into `element`; returns the unmount. */
export function mountCanvas(element: HTMLElement, options: CanvasOptions): () => void {
  const store = createTLStore({ shapeUtils: [...defaultShapeUtils.filter((util) => !replacedTypes.has(util.type)), ...customShapeUtils], bindingUtils: defaultBindingUtils, assets: dataUrlAssets });
  const unbindDoc = bindStoreToDoc(store, options.doc, { canWrite: !options.readonly });
  const unbindPresence = bindPresence(store, options.awareness, options.user);
  setUserPreferences({ id: options.user.id, name: options.user.name, color: options.user.color });

  let stopView: (() => void) | null = null;
  const root = createRoot(element);
  root.render(
    <Tldraw
      store={store}
      shapeUtils={customShapeUtils}
      tools={tools}
      overrides={overrides}
      components={components}
      assetUrls={assetUrls}
      licenseKey={options.licenseKey ?? undefined}
      onMount={(editor) => {
        if (options.readonly) {
          editor.updateInstanceState({ isReadonly: true });
          editor.setCurrentTool('hand');
        }
        if (options.boardId) stopView = manageFirstView(editor, options.boardId);
        options.onEditor?.(editor);
      }}
    />,
  );
  return () => {
    stopView?.();
    root.unmount();
    unbindPresence();
    unbindDoc();
  };
}
