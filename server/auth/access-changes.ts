// A user's sign-ins or rights changed (signed out, disabled, role or membership changed).
// Transports that hold long-lived connections listen here to re-check them at once, instead of
// trusting what they resolved when the connection opened.
export class AccessChanges {
  private readonly listeners = new Set<(userId: string) => void>();

  onChange(listener: (userId: string) => void): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  changed(userId: string): void {
    for (const listener of this.listeners) listener(userId);
  }
}
