import type { Db } from '../db/client.ts';
import type { Logger } from '../log.ts';
import type { Signals } from '../scale/signals.ts';
import type { SessionService } from '../sessions/service.ts';
import type { EventStream } from '../sessions/stream.ts';
import type { WorkspaceManager } from '../sessions/workspaces.ts';
import { Comments } from './comments.ts';
import { ShareLinks } from './links.ts';
import { SessionReplay } from './replay.ts';
import { ViewerReads } from './viewer.ts';

export interface ShareServices { links: ShareLinks; viewer: ViewerReads; comments: Comments }

export function createShareServices(o: { db: Db; events: EventStream; sessions: SessionService; workspaces: WorkspaceManager; signals: Signals; log: Logger }): ShareServices {
  return {
    links: new ShareLinks({ db: o.db, sessions: o.sessions, signals: o.signals, log: o.log }),
    viewer: new ViewerReads({ db: o.db, replay: new SessionReplay({ db: o.db, workspaces: o.workspaces }) }),
    comments: new Comments({ db: o.db, events: o.events }),
  };
}
