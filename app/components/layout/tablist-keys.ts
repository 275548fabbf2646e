import type { KeyboardEvent } from 'react';

/**
 * Arrow keys, Home and End move between the tabs of a tab list and select the one reached
 * (WAI-ARIA tabs with automatic activation); Tab then leaves the list, because only the selected
 * tab is in the tab order.
 */
export function onTabListKeyDown(e: KeyboardEvent<HTMLElement>, names: string[], current: string, select: (name: string) => void) {
  const i = names.indexOf(current);
  const next = e.key === 'ArrowRight' ? (i + 1) % names.length
    : e.key === 'ArrowLeft' ? (i - 1 + names.length) % names.length
    : e.key === 'Home' ? 0
    : e.key === 'End' ? names.length - 1
    : -1;
  if (next === -1) return;
  e.preventDefault();
  select(names[next]!);
  const tabs = e.currentTarget.querySelectorAll<HTMLElement>('[role="tab"]');
  tabs[next]?.focus();
}
