import { adminRouter } from './routers/admin.ts';
import { authRouter } from './routers/auth.ts';
import { filesRouter } from './routers/files.ts';
import { sessionsRouter } from './routers/sessions.ts';
import { router } from './trpc.ts';

export const appRouter = router({
  auth: authRouter,
  admin: adminRouter,
  sessions: sessionsRouter,
  files: filesRouter,
});

export type AppRouter = typeof appRouter;
