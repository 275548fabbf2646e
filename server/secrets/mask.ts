// Secret values never reach the model: any text bound for it (tool output, errors) has every
// occurrence of a workspace secret replaced by its name.

/** Shorter values would mask ordinary words; the store refuses them. */
export const MIN_SECRET_LENGTH = 8;

export interface Maskable { name: string; value: string }

export function maskSecrets(text: string, secrets: readonly Maskable[]): string {
  // Longest first, so a secret that contains another is masked whole.
  const ordered = [...secrets].filter((s) => s.value.length >= MIN_SECRET_LENGTH).sort((a, b) => b.value.length - a.value.length);
  let out = text;
  for (const s of ordered) if (out.includes(s.value)) out = out.split(s.value).join(`[secret ${s.name} masked]`);
  return out;
}
