// What a model call is for. Each task type has its own ordered route list (primary first) and
// its own usage rows, so a cheap extraction model can sit beside a strong agent model.
import { z } from 'zod';

export const modelTasks = ['agent', 'extraction'] as const;
export const modelTaskSchema = z.enum(modelTasks);
export type ModelTask = z.infer<typeof modelTaskSchema>;

/** Usage rows carry the task in their route key; agent rows keep the bare route id they always had. */
export function usageRouteKey(task: ModelTask, route: string): string {
  return task === 'agent' ? route : `${task}/${route}`;
}

export function parseUsageRouteKey(key: string): { task: ModelTask; route: string } {
  const slash = key.indexOf('/');
  const task = modelTaskSchema.safeParse(key.slice(0, slash));
  return slash > 0 && task.success ? { task: task.data, route: key.slice(slash + 1) } : { task: 'agent', route: key };
}
