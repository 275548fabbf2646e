// Accessibility checks with axe-core: a page passes only with zero violations, whatever their impact.
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect } from './fixtures.ts';

export const THEMES = ['light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

/**
 * Every page the browser loads from now on uses `theme`: the app reads `tether-theme` from
 * localStorage before first paint (app/layout.tsx); the media emulation makes Monaco, which follows
 * the system setting when nothing is stored, agree.
 */
export async function useTheme(page: Page, theme: Theme) {
  await page.emulateMedia({ colorScheme: theme });
  await page.addInitScript((t) => localStorage.setItem('tether-theme', t), theme);
}

/** One line per violation and element, so a failure says what to fix and where. */
function describe(violations: Awaited<ReturnType<AxeBuilder['analyze']>>['violations']) {
  return violations.flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${v.help} — ${n.target.join(' ')}: ${n.failureSummary?.replace(/\s+/g, ' ')}`));
}

/** Runs axe on the page as it is now and fails on any violation; `where` names the page in the message. */
export async function expectAccessible(page: Page, where: string) {
  // Let transitions and late renders (Monaco, xterm) settle, so colours are measured as shown.
  await page.waitForLoadState('networkidle').catch(() => {});
  const results = await new AxeBuilder({ page }).analyze();
  // Soft: one run reports every page's violations, and the test still fails.
  expect.soft(describe(results.violations), `axe violations on ${where}`).toEqual([]);
}
