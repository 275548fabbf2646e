'use client';
import { useEffect, useState } from 'react';

/** Monaco's theme for the page's: the chosen data-theme, else the system's preference; follows changes. */
export function useMonacoTheme(): 'vs' | 'vs-dark' {
  const [theme, setTheme] = useState<'vs' | 'vs-dark'>('vs-dark');
  useEffect(() => {
    const dark = () => {
      const t = document.documentElement.dataset.theme;
      return t ? t === 'dark' : window.matchMedia('(prefers-color-scheme: dark)').matches;
    };
    setTheme(dark() ? 'vs-dark' : 'vs');
    const obs = new MutationObserver(() => setTheme(dark() ? 'vs-dark' : 'vs'));
    obs.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    return () => obs.disconnect();
  }, []);
  return theme;
}
