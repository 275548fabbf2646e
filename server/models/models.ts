// The models domain as the rest of the server sees it, built once from the configuration.
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import type { Logger } from '../log.ts';
import { quotaLimitsFromConfig, UsageMeter } from './metering.ts';
import { credentialsFromConfig } from './providers.ts';
import { recordFailover } from '../audit/model-failover.ts';
import { ModelRouter } from './router.ts';
import { parseRouteList } from './routes.ts';
import { RouteSettings } from './settings.ts';

export interface Models {
  /** Every model call: `stream({ task: 'agent' | 'extraction', … })` picks that task's routes. */
  router: ModelRouter;
  /** Admin: read and change the route list at run time. */
  settings: RouteSettings;
  /** Admin: usage totals; the agent: quota checks. */
  meter: UsageMeter;
}

export function createModels(config: Config, db: Db, log: Logger): Models {
  const settings = new RouteSettings(db, { agent: parseRouteList(config.TETHER_MODELS), extraction: parseRouteList(config.TETHER_MODELS_EXTRACTION) });
  const meter = new UsageMeter(db, quotaLimitsFromConfig(config));
  const router = new ModelRouter({
    credentials: credentialsFromConfig(config),
    routes: settings,
    log,
    meter,
    firstTokenTimeoutMs: config.TETHER_MODEL_TIMEOUT * 1000,
    contextSettings: config.modelContextWindows,
    onFailover: (f) => recordFailover(db, f),
  });
  return { router, settings, meter };
}
