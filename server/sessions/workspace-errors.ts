/** The workspace cannot be used now (not ready, failed, stopped, or run by another instance); the message says why. */
export class WorkspaceUnavailableError extends Error {}
