// Why a run's AbortSignal fired. A shutdown leaves work to resume after the restart (an
// interrupted run, a still-pending approval); a user's Stop ends it.
export const STOP = 'stopped by user';
export const SHUTDOWN = 'server shutting down';
