'use client';
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { Group, Panel, Separator, useDefaultLayout, usePanelRef, type PanelImperativeHandle } from 'react-resizable-panels';
import { useMediaQuery } from '../../lib/useMediaQuery.ts';
import { isTabFocusToggle, toggleTabMovesFocus, useTabMovesFocus } from '../../lib/tab-focus-mode.ts';
import { cyclePanels, isPanelCycleKey } from './panel-focus.ts';
import { SidePanel, type SideTab } from './SidePanel.tsx';
import { onTabListKeyDown } from './tablist-keys.ts';

/** Below this width the IDE shows one panel at a time with a switcher (a phone). */
export const PHONE_QUERY = '(max-width: 760px)';
/** The terminal's tab row stays visible when the area is collapsed, so "New terminal" is reachable. */
const TERMINAL_COLLAPSED = '34px';

type MainPanel = 'Files' | 'Editor' | 'Terminal';

/** Which side tab is selected, and which one panel a phone shows. */
export function useIdeView(initialSide: string) {
  const [side, setSide] = useState(initialSide);
  const [phone, setPhone] = useState<string>('Editor');
  /** Brings a panel or a side tab into view, on a phone as on a desktop. */
  const show = useCallback((name: string) => {
    if (name === 'Files' || name === 'Editor' || name === 'Terminal') return setPhone(name);
    setSide(name);
    setPhone(name);
  }, []);
  return { side, phone, show };
}
export type IdeView = ReturnType<typeof useIdeView>;

interface Slots { files: ReactNode; editor: ReactNode; terminal: ReactNode; sideTabs: SideTab[]; bar: ReactNode; banners: ReactNode; status?: ReactNode }

/** Stores each group's sizes under the session, so every session keeps its own layout. */
function useStoredLayout(sessionId: string, group: string) {
  return useDefaultLayout({ id: `tether-layout:${sessionId}:${group}` });
}

function useCollapsed(ref: React.RefObject<PanelImperativeHandle | null>) {
  const [collapsed, setCollapsed] = useState(false);
  const onResize = useCallback(() => setCollapsed(ref.current?.isCollapsed() ?? false), [ref]);
  const toggle = useCallback(() => { if (ref.current?.isCollapsed()) ref.current.expand(); else ref.current?.collapse(); }, [ref]);
  return { collapsed, onResize, toggle };
}

function PanelToggle({ label, expanded, onToggle }: { label: string; expanded: boolean; onToggle: () => void }) {
  return <button type="button" className="ghost small" aria-pressed={expanded} onClick={onToggle}>{label}</button>;
}

/** Resizable, collapsible panels: file tree | editor over terminal | side panel. */
function DesktopPanels({ sessionId, files, editor, terminal, sideTabs, view, terminalCount, bar, banners }: Slots & { sessionId: string; view: IdeView; terminalCount: number | null }) {
  const columns = useStoredLayout(sessionId, 'columns');
  const rows = useStoredLayout(sessionId, 'center');
  const filesRef = usePanelRef();
  const terminalRef = usePanelRef();
  const sideRef = usePanelRef();
  const filesState = useCollapsed(filesRef);
  const terminalState = useCollapsed(terminalRef);
  const sideState = useCollapsed(sideRef);

  // The terminal area folds to its tab row while no terminal is open and opens with the first.
  // Unknown (null) until the terminals are listed: folding it meanwhile and unfolding it for the
  // terminal the list brings made the terminal fit itself, and its shell redraw, twice on load.
  const hasTerminal = terminalCount === null ? null : terminalCount > 0;
  useEffect(() => {
    if (hasTerminal === null) return;
    if (hasTerminal) terminalRef.current?.expand();
    else terminalRef.current?.collapse();
  }, [hasTerminal, terminalRef]);

  return (
    <>
      <div className="ide-bar">
        {bar}
        <div className="view-toggles" role="group" aria-label="Panels">
          <PanelToggle label="Files" expanded={!filesState.collapsed} onToggle={filesState.toggle} />
          <PanelToggle label="Terminal" expanded={!terminalState.collapsed} onToggle={terminalState.toggle} />
          <PanelToggle label="Side panel" expanded={!sideState.collapsed} onToggle={sideState.toggle} />
        </div>
      </div>
      {banners}
      <Group className="ide-main" orientation="horizontal" defaultLayout={columns.defaultLayout} onLayoutChanged={columns.onLayoutChanged}>
        <Panel id="files" panelRef={filesRef} collapsible minSize="140px" defaultSize="18%" maxSize="45%" onResize={filesState.onResize}>
          <div className="panel-slot" data-ide-panel="Files">{files}</div>
        </Panel>
        <Separator className="resize-handle" aria-label="Resize the file tree" />
        <Panel id="center" minSize="30%">
          <Group className="ide-center" orientation="vertical" defaultLayout={rows.defaultLayout} onLayoutChanged={rows.onLayoutChanged}>
            <Panel id="editor" minSize="80px">
              <div className="panel-slot" data-ide-panel="Editor">{editor}</div>
            </Panel>
            <Separator className="resize-handle" aria-label="Resize the terminal" />
            <Panel id="terminal" panelRef={terminalRef} collapsible collapsedSize={TERMINAL_COLLAPSED} minSize="120px" defaultSize="38%" onResize={terminalState.onResize}>
              <div className="panel-slot" data-ide-panel="Terminal">{terminal}</div>
            </Panel>
          </Group>
        </Panel>
        <Separator className="resize-handle" aria-label="Resize the side panel" />
        {/* Wide enough to widen a lot: the agent's diffs need room. */}
        <Panel id="side" panelRef={sideRef} collapsible minSize="260px" defaultSize="28%" maxSize="70%" onResize={sideState.onResize}>
          <div className="panel-slot" data-ide-panel="Side">
            <SidePanel tabs={sideTabs} side={view.side} onSide={view.show} showTabs />
          </div>
        </Panel>
      </Group>
    </>
  );
}

/** A phone: one panel at a time, chosen in a switcher; every panel stays mounted (terminals keep running). */
function PhonePanels({ files, editor, terminal, sideTabs, view, bar, banners }: Slots & { view: IdeView }) {
  const mains: MainPanel[] = ['Files', 'Editor', 'Terminal'];
  const names = [...mains, ...sideTabs.map((t) => t.name)];
  const current = names.includes(view.phone) ? view.phone : 'Editor';
  const sideShown = !mains.includes(current as MainPanel);
  const slotId = (name: string) => `phone-${mains.includes(name as MainPanel) ? name : 'Side'}`;
  const slot = (name: string, shown: boolean, content: ReactNode) => (
    <div className="panel-slot phone-slot" data-ide-panel={name} id={slotId(name)} role="tabpanel" aria-label={name === 'Side' ? view.side : name} hidden={!shown}>{content}</div>
  );
  return (
    <>
      <div className="ide-bar">{bar}</div>
      {banners}
      <div className="tabs switcher" role="tablist" aria-label="Panels" onKeyDown={(e) => onTabListKeyDown(e, names, current, view.show)}>
        {names.map((n) => (
          <button key={n} type="button" role="tab" className="tab" aria-selected={n === current} aria-controls={slotId(n)}
            tabIndex={n === current ? 0 : -1} onClick={() => view.show(n)}>{n}</button>
        ))}
      </div>
      <div className="ide-phone">
        {slot('Files', current === 'Files', files)}
        {slot('Editor', current === 'Editor', editor)}
        {slot('Terminal', current === 'Terminal', terminal)}
        {slot('Side', sideShown, <SidePanel tabs={sideTabs} side={view.side} onSide={view.show} showTabs={false} />)}
      </div>
    </>
  );
}

/** Page-wide keys: Ctrl+M toggles "Tab moves focus" (announced), F6 / Shift+F6 / Ctrl+` cycle the panels. */
function useIdeKeys(root: React.RefObject<HTMLElement | null>, announce: (words: string) => void) {
  useEffect(() => {
    // Capture phase: the terminal and Monaco would otherwise take these keys (Ctrl+M is Enter to a shell).
    const onKey = (e: KeyboardEvent) => {
      if (isTabFocusToggle(e)) {
        e.preventDefault();
        e.stopPropagation();
        announce(toggleTabMovesFocus()
          ? 'Tab moves focus: on. Tab now leaves the terminal and the editor; Ctrl+M types Tab again.'
          : 'Tab moves focus: off. Tab is typed into the terminal and the editor.');
        return;
      }
      if (e.type === 'keydown' && isPanelCycleKey(e) && root.current && cyclePanels(root.current, e.shiftKey)) {
        e.preventDefault();
        e.stopPropagation();
      }
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [root, announce]);
}

/**
 * The IDE's panels: resizable on a desktop, one at a time on a phone. `bar` is the session's
 * header row; `terminalCount` folds the terminal area while no terminal is open (null: not known yet).
 */
export function IdeLayout(props: Slots & { sessionId: string; view: IdeView; terminalCount: number | null }) {
  const phone = useMediaQuery(PHONE_QUERY);
  const root = useRef<HTMLDivElement>(null);
  const [announcement, setAnnouncement] = useState('');
  useIdeKeys(root, setAnnouncement);
  const tabMovesFocus = useTabMovesFocus();
  // The mode stays in sight while it is on; the live region says when it changes.
  const bar = <>{props.bar}{tabMovesFocus && <span className="badge keyboard-mode">Tab moves focus (Ctrl+M)</span>}</>;
  return (
    <div className="ide" ref={root}>
      {phone ? <PhonePanels {...props} bar={bar} /> : <DesktopPanels {...props} bar={bar} />}
      {props.status}
      <p role="status" aria-live="polite" className="visually-hidden">{announcement}</p>
    </div>
  );
}
