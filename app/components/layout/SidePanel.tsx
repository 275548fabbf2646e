'use client';
import type { ReactNode } from 'react';
import { onTabListKeyDown } from './tablist-keys.ts';

/** One tab of the side panel: adding a panel to the IDE is one entry in SessionView's list. */
export interface SideTab { name: string; render: () => ReactNode }

const tabId = (name: string) => `side-tab-${name.replace(/\W+/g, '-')}`;
const panelId = (name: string) => `side-panel-${name.replace(/\W+/g, '-')}`;

/** The side panel's tabs (Agent, Memory, Activity, …) and the selected one's content. */
export function SidePanel({ tabs, side, onSide, showTabs }: { tabs: SideTab[]; side: string; onSide: (name: string) => void; showTabs: boolean }) {
  const active = tabs.find((t) => t.name === side) ?? tabs[0];
  const names = tabs.map((t) => t.name);
  return (
    <aside className="panel side-panel" aria-label="Side panel">
      {showTabs && (
        <div className="tabs" role="tablist" aria-label="Side panel" onKeyDown={(e) => onTabListKeyDown(e, names, active?.name ?? '', onSide)}>
          {tabs.map((t) => (
            <button key={t.name} type="button" role="tab" id={tabId(t.name)} className="tab" aria-selected={t === active} aria-controls={panelId(t.name)}
              tabIndex={t === active ? 0 : -1} onClick={() => onSide(t.name)}>{t.name}</button>
          ))}
        </div>
      )}
      {active && (
        <div role={showTabs ? 'tabpanel' : undefined} id={panelId(active.name)} aria-labelledby={showTabs ? tabId(active.name) : undefined} className="side-body">
          {active.render()}
        </div>
      )}
    </aside>
  );
}
