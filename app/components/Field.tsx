import type { InputHTMLAttributes } from 'react';

/** A labelled input whose error is announced and tied to it (getByLabel finds it). */
export function Field({ label, error, ...input }: { label: string; error?: string[] | string | undefined } & InputHTMLAttributes<HTMLInputElement>) {
  const id = input.id ?? input.name;
  const message = Array.isArray(error) ? error.join(' ') : error;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} aria-invalid={message ? true : undefined} aria-describedby={message ? `${id}-error` : undefined} {...input} />
      {message && <p id={`${id}-error`} className="field-error">{message}</p>}
    </div>
  );
}

/** The words of a failed tRPC call, and its per-field errors when the input was invalid. */
export function errorOf(err: unknown): { message: string | null; fields: Record<string, string[] | undefined> } {
  if (!err) return { message: null, fields: {} };
  const e = err as { message?: string; data?: { fieldErrors?: Record<string, string[]> | null } };
  return { message: e.message ?? 'Something went wrong.', fields: e.data?.fieldErrors ?? {} };
}
