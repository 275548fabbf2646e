'use client';
import { useEffect, useState } from 'react';

/**
 * False in the server render and until React has hydrated. Controls that only work with
 * JavaScript stay disabled until then, so an early click is never lost and a form is never
 * submitted natively (which would put a password in the URL).
 */
export function useHydrated(): boolean {
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  return hydrated;
}
