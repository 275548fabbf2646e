// Why a run's AbortSignal fired. A shutdown leaves work to resume after the restart (an
// interrupted run, a still-pending approval); a user's Stop ends it; a RunLimit ends it with
// the limit as its reason, shown on the call it cut short.
export const STOP = 'stopped by user';
export const SHUTDOWN = 'server shutting down';

/** A limit reached mid-step (the profile's wall clock): the run stops, and says which limit. */
export class RunLimit {
  constructor(readonly message: string) {}
}
