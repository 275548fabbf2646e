'use client';
import { useCallback, useEffect, useId, useRef, useState, type ReactNode } from 'react';

export interface Confirmation {
  title: string;
  body: ReactNode;
  /** The confirm button's words: say what happens ("Delete session"), never just "OK". */
  confirm: string;
  danger?: boolean;
  onConfirm: () => void;
}

/**
 * A modal question before something that cannot be taken back. Native <dialog>: focus moves in
 * and is trapped, Escape cancels, the page behind is inert. Cancel has the focus, so a stray
 * Enter does nothing harmful.
 */
function ConfirmDialog({ request, onClose }: { request: Confirmation | null; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const bodyId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (request && !d.open) d.showModal();
    if (!request && d.open) d.close();
  }, [request]);
  return (
    <dialog ref={ref} role="alertdialog" aria-labelledby={titleId} aria-describedby={bodyId} className="card confirm-dialog"
      onCancel={(e) => { e.preventDefault(); onClose(); }}>
      {request && (
        <form method="dialog" className="stack" onSubmit={(e) => { e.preventDefault(); request.onConfirm(); onClose(); }}>
          <h2 id={titleId}>{request.title}</h2>
          <div id={bodyId} className="muted">{request.body}</div>
          <div className="row">
            <div className="spacer" />
            <button type="button" className="ghost" autoFocus onClick={onClose}>Cancel</button>
            <button type="submit" className={request.danger ? 'primary danger' : 'primary'}>{request.confirm}</button>
          </div>
        </form>
      )}
    </dialog>
  );
}

/** `ask(confirmation)` opens the dialog; render `dialog` once in the component. */
export function useConfirm() {
  const [request, setRequest] = useState<Confirmation | null>(null);
  const close = useCallback(() => setRequest(null), []);
  return { ask: setRequest, dialog: <ConfirmDialog request={request} onClose={close} /> };
}
