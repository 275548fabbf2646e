'use client';
import type { ReactNode } from 'react';

/**
 * A tab with a close control. A tab list may hold only tabs, so the × is part of the tab,
 * hidden from assistive technology and out of the tab order; the keyboard closes with Delete.
 */
export function ClosableTab({ label, extra, title, selected, onSelect, onClose }: {
  label: string; extra?: ReactNode; title?: string; selected: boolean; onSelect: () => void; onClose: () => void;
}) {
  return (
    <button type="button" role="tab" className="tab" aria-selected={selected} aria-keyshortcuts="Delete" title={title} onClick={onSelect}
      onKeyDown={(e) => { if (e.key === 'Delete') { e.preventDefault(); onClose(); } }}>
      {label}{extra}
      <span className="tab-close" aria-hidden="true" title={`Close ${label}`} data-close={label}
        onClick={(e) => { e.stopPropagation(); onClose(); }}>×</span>
    </button>
  );
}
