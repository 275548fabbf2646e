// The route list of each task type: the environment gives the default, an admin can override
// it at run time (stored in the database under the task's name, so every instance and restart
// sees the same list). Extraction without a list of its own uses the agent's routes.
import type { Db } from '../db/client.ts';
import { parseRoute, routeEntry, type Route } from './routes.ts';
import type { ModelTask } from './tasks.ts';

/** inherited: the task has no list of its own and uses the agent's. */
export interface RouteList { routes: Route[]; source: 'database' | 'environment' | 'inherited' }

export interface RouteSource { routes(task?: ModelTask): Promise<RouteList> }

/** Rows written before task types existed stored the agent's list under this id. */
const LEGACY_AGENT_ROW = 'default';
/** Another instance's change is picked up within this long. */
const CACHE_MS = 10_000;

export type EnvRoutes = Record<ModelTask, Route[]>;

export class RouteSettings implements RouteSource {
  private readonly cache = new Map<ModelTask, { list: RouteList; at: number }>();

  constructor(private readonly db: Db, private readonly env: EnvRoutes) {}

  async routes(task: ModelTask = 'agent'): Promise<RouteList> {
    const hit = this.cache.get(task);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.list;
    const row = await this.db.modelRouteSetting.findFirst({ where: { id: { in: task === 'agent' ? ['agent', LEGACY_AGENT_ROW] : [task] } }, orderBy: { updatedAt: 'desc' } });
    const list: RouteList = row
      ? { routes: (row.routes as string[]).map(parseRoute), source: 'database' }
      : this.env[task].length || task === 'agent'
        ? { routes: this.env[task], source: 'environment' }
        : { routes: (await this.routes('agent')).routes, source: 'inherited' };
    this.cache.set(task, { list, at: Date.now() });
    return list;
  }

  /** Validates every entry first (`provider:model[=context tokens]`): a bad one changes nothing. */
  async set(task: ModelTask, entries: string[], updatedById: string | null): Promise<RouteList> {
    const routes = entries.map(parseRoute);
    const stored = routes.map(routeEntry);
    await this.db.modelRouteSetting.upsert({
      where: { id: task },
      create: { id: task, routes: stored, updatedById },
      update: { routes: stored, updatedById },
    });
    if (task === 'agent') await this.db.modelRouteSetting.deleteMany({ where: { id: LEGACY_AGENT_ROW } });
    this.cache.clear();
    return this.routes(task);
  }

  /** Back to the environment's list (or, for extraction without one, the agent's). */
  async reset(task: ModelTask): Promise<RouteList> {
    await this.db.modelRouteSetting.deleteMany({ where: { id: { in: task === 'agent' ? ['agent', LEGACY_AGENT_ROW] : [task] } } });
    this.cache.clear();
    return this.routes(task);
  }
}
