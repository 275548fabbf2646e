import { adminRouter } from './routers/admin.ts';
import { agentRouter } from './routers/agent.ts';
import { approvalsRouter } from './routers/approvals.ts';
import { auditRouter } from './routers/audit.ts';
import { authRouter } from './routers/auth.ts';
import { membersRouter } from './routers/members.ts';
import { memoryRouter } from './routers/memory.ts';
import { egressRouter } from './routers/egress.ts';
import { modelsRouter } from './routers/models.ts';
import { policyRouter } from './routers/policy.ts';
import { profilesRouter } from './routers/profiles.ts';
import { filesRouter } from './routers/files.ts';
import { gitRouter } from './routers/git.ts';
import { releaseRouter } from './routers/release.ts';
import { searchRouter } from './routers/search.ts';
import { secretsRouter } from './routers/secrets.ts';
import { sessionsRouter } from './routers/sessions.ts';
import { shareRouter } from './routers/share.ts';
import { viewerRouter } from './routers/viewer.ts';
import { router } from './trpc.ts';

export const appRouter = router({
  auth: authRouter,
  admin: adminRouter,
  sessions: sessionsRouter,
  members: membersRouter,
  files: filesRouter,
  git: gitRouter,
  agent: agentRouter,
  approvals: approvalsRouter,
  models: modelsRouter,
  policy: policyRouter,
  memory: memoryRouter,
  secrets: secretsRouter,
  release: releaseRouter,
  search: searchRouter,
  egress: egressRouter,
  profiles: profilesRouter,
  audit: auditRouter,
  share: shareRouter,
  viewer: viewerRouter,
});

export type AppRouter = typeof appRouter;
