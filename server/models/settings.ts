// The route list: the environment gives the default, an admin can override it at run time
// (stored in the database, so every instance and restart sees the same list).
import type { Db } from '../db/client.ts';
import { parseRoute, type Route } from './routes.ts';

export interface RouteList { routes: Route[]; source: 'database' | 'environment' }

export interface RouteSource { routes(): Promise<RouteList> }

const DEFAULT_TASK = 'default';
/** Another instance's change is picked up within this long. */
const CACHE_MS = 10_000;

export class RouteSettings implements RouteSource {
  private cached: RouteList | null = null;
  private cachedAt = 0;

  constructor(private readonly db: Db, private readonly envDefault: Route[]) {}

  async routes(): Promise<RouteList> {
    if (this.cached && Date.now() - this.cachedAt < CACHE_MS) return this.cached;
    this.cachedAt = Date.now();
    const row = await this.db.modelRouteSetting.findUnique({ where: { id: DEFAULT_TASK } });
    this.cached = row
      ? { routes: (row.routes as string[]).map(parseRoute), source: 'database' }
      : { routes: this.envDefault, source: 'environment' };
    return this.cached;
  }

  /** Validates every id first: a bad entry changes nothing. */
  async set(ids: string[], updatedById: string | null): Promise<RouteList> {
    const routes = ids.map(parseRoute);
    const stored = routes.map((r) => r.id);
    await this.db.modelRouteSetting.upsert({
      where: { id: DEFAULT_TASK },
      create: { id: DEFAULT_TASK, routes: stored, updatedById },
      update: { routes: stored, updatedById },
    });
    this.cached = { routes, source: 'database' };
    this.cachedAt = Date.now();
    return this.cached;
  }

  /** Back to the environment's list. */
  async reset(): Promise<RouteList> {
    await this.db.modelRouteSetting.deleteMany({ where: { id: DEFAULT_TASK } });
    this.cached = { routes: this.envDefault, source: 'environment' };
    this.cachedAt = Date.now();
    return this.cached;
  }
}
