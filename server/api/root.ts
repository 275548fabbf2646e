import { adminRouter } from './routers/admin.ts';
import { agentRouter } from './routers/agent.ts';
import { authRouter } from './routers/auth.ts';
import { memoryRouter } from './routers/memory.ts';
import { modelsRouter } from './routers/models.ts';
import { filesRouter } from './routers/files.ts';
import { sessionsRouter } from './routers/sessions.ts';
import { router } from './trpc.ts';

export const appRouter = router({
  auth: authRouter,
  admin: adminRouter,
  sessions: sessionsRouter,
  files: filesRouter,
  agent: agentRouter,
  models: modelsRouter,
  memory: memoryRouter,
});

export type AppRouter = typeof appRouter;
