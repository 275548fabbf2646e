import type { Confirmation } from '../components/ConfirmDialog.tsx';

/** The same question wherever a session can be stopped: the dashboard row and the session's own header. */
export function stopSessionConfirmation(title: string, onConfirm: () => void): Confirmation {
  return {
    title: `Stop “${title}”?`,
    body: 'Its terminals, running commands and agent run end. The files stay, and you can restart the session later.',
    confirm: 'Stop session', danger: true, onConfirm,
  };
}
