'use client';

/** An error shown where it happened, until the next success there or until dismissed. */
export function ErrorBanner({ error, onDismiss }: { error: string | null; onDismiss: () => void }) {
  if (!error) return null;
  return (
    <p role="alert" className="banner error">
      <span>{error}</span>
      <button type="button" className="ghost small" onClick={onDismiss}>Dismiss</button>
    </p>
  );
}
