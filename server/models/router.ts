// One model call, routed: try the routes in order, skip those whose circuit is open, fall back
// on failures another route may not share, and stop on those it would. Once the first token
// has arrived the reply belongs to that route: a later failure is shown, never papered over.
import { failSpan, startSpan } from '../telemetry/tracing.ts';
import type { JSONSchema7, ModelMessage } from 'ai';
import type { Logger } from '../log.ts';
import { contextWindowOf, type ContextWindow } from './context-windows.ts';
import { CircuitBreaker, defaultBreakerOptions, type BreakerOptions, type BreakerState } from './breaker.ts';
import { classifyFailure, ModelCallError, redact } from './errors.ts';
import type { UsageContext, UsageMeter } from './metering.ts';
import { notConfiguredHowTo, notConfiguredRun } from './not-configured.ts';
import { estimateCostUsd } from './pricing.ts';
import { languageModel, missingSetting, secretsOf, type ModelCredentials } from './providers.ts';
import { parseRoute, type Route } from './routes.ts';
import type { RouteList, RouteSource } from './settings.ts';
import { usageRouteKey, type ModelTask } from './tasks.ts';

export interface ModelToolSpec { description: string; inputSchema: JSONSchema7 }

export interface ModelRequest {
  /** Which route list answers and which usage rows it adds to; default agent. */
  task?: ModelTask;
  system?: string;
  messages: ModelMessage[];
  tools?: Record<string, ModelToolSpec>;
  /** The reply's limit: what the prompt budget kept free for it. */
  maxOutputTokens?: number;
  signal?: AbortSignal;
  usage?: UsageContext;
  /** An explicit route chain for this call (a task profile's, primary first), instead of the configured one. */
  routes?: readonly string[];
}

export interface RouteAttempt { route: string; error: string }

export interface ModelUsageFigures { inputTokens: number; outputTokens: number; costUsd: number }

export type ModelStreamPart =
  /** Before the first token: which route is answering, and the routes that failed before it (and why). */
  | { type: 'route'; route: string; failedOver: RouteAttempt[] }
  | { type: 'text-delta'; text: string }
  /** inputError: the model's arguments were not valid JSON; input is then the raw text. */
  | { type: 'tool-call'; callId: string; toolName: string; input: unknown; inputError?: string }
  | { type: 'finish'; route: string; finishReason: string; usage: ModelUsageFigures };

export interface RouteHealth {
  id: string;
  provider: Route['provider'];
  model: string;
  /** Why it cannot be called (a setting's name, never its value), or null. */
  missing: string | null;
  contextWindow: ContextWindow;
  breaker: BreakerState;
  consecutiveFailures: number;
  reopensAt: string | null;
  calls: number;
  failures: number;
  lastError: { message: string; at: string } | null;
  lastSuccessAt: string | null;
  /** Mean time to first token of successful calls. */
  meanFirstTokenMs: number | null;
}

export interface RouterStatus {
  task: ModelTask;
  configured: boolean;
  source: RouteList['source'];
  routes: RouteHealth[];
  /** When not configured: what to set, for the agent panel and the admin page. */
  howTo: string | null;
}

export interface ModelRouterOptions {
  credentials: ModelCredentials;
  routes: RouteSource;
  log: Logger;
  meter?: UsageMeter;
  breaker?: BreakerOptions;
  /** No first token by then: the attempt is abandoned and the next route tried. */
  firstTokenTimeoutMs: number;
  /** Context windows an operator set (TETHER_MODEL_CONTEXT_<n>), by route id. */
  contextSettings?: ReadonlyMap<string, number>;
  now?: () => number;
  /** A call that a later route answered (answeredBy) or that no route answered (null): for the audit. */
  onFailover?(failover: ModelFailover): Promise<void>;
}

export interface ModelFailover { context: UsageContext; failed: { route: string; error: string }[]; answeredBy: string | null }

interface Health {
  breaker: CircuitBreaker;
  calls: number;
  failures: number;
  lastError: { message: string; at: string } | null;
  lastSuccessAt: string | null;
  firstTokenMsTotal: number;
  successes: number;
}

class FirstTokenTimeout extends Error {}

export class ModelRouter {
  private readonly health = new Map<string, Health>();
  private readonly secrets: string[];
  private readonly now: () => number;

  constructor(private readonly options: ModelRouterOptions) {
    this.secrets = secretsOf(options.credentials);
    this.now = options.now ?? Date.now;
    // The AI SDK prints provider warnings to the console unless told where else to send them.
    globalThis.AI_SDK_LOG_WARNINGS ??= ({ warnings, provider, model }) => options.log.debug({ warnings, provider, model }, 'model provider warnings');
  }

  async status(task: ModelTask = 'agent'): Promise<RouterStatus> {
    const { routes, source } = await this.options.routes.routes(task);
    const list = routes.map((r): RouteHealth => {
      const h = this.healthOf(r.id);
      const b = h.breaker.snapshot();
      return {
        id: r.id, provider: r.provider, model: r.model,
        missing: missingSetting(r, this.options.credentials),
        contextWindow: this.contextWindowOf(r),
        breaker: b.state,
        consecutiveFailures: b.consecutiveFailures,
        reopensAt: b.reopensAt === null ? null : new Date(b.reopensAt).toISOString(),
        calls: h.calls,
        failures: h.failures,
        lastError: h.lastError,
        lastSuccessAt: h.lastSuccessAt,
        meanFirstTokenMs: h.successes ? Math.round(h.firstTokenMsTotal / h.successes) : null,
      };
    });
    const configured = list.some((r) => !r.missing);
    return { task, configured, source, routes: list, howTo: configured ? null : notConfiguredHowTo };
  }

  /**
   * The smallest window among the callable routes of the chain (a task profile's) or, without
   * one, of the task's configured routes: whichever answers, the prompt fits. Null when none is callable.
   */
  async contextWindow(task: ModelTask = 'agent', chain?: readonly string[]): Promise<(ContextWindow & { route: string }) | null> {
    const routes = chain?.length ? chain.map(parseRoute) : (await this.options.routes.routes(task)).routes;
    const windows = routes.filter((r) => !missingSetting(r, this.options.credentials)).map((r) => ({ ...this.contextWindowOf(r), route: r.id }));
    return windows.reduce<(ContextWindow & { route: string }) | null>((min, w) => (!min || w.tokens < min.tokens ? w : min), null);
  }

  private contextWindowOf(r: Route): ContextWindow {
    return contextWindowOf(r, this.options.contextSettings ?? new Map());
  }

  /** Throws ModelCallError; its message is safe to show (no secrets). */
  async *stream(req: ModelRequest): AsyncGenerator<ModelStreamPart> {
    const task = req.task ?? 'agent';
    const routes = req.routes?.length ? req.routes.map(parseRoute) : (await this.options.routes.routes(task)).routes;
    const callable = routes.filter((r) => !missingSetting(r, this.options.credentials));
    if (!callable.length) throw new ModelCallError('not_configured', notConfiguredRun);
    const attempts: RouteAttempt[] = [];

    for (const route of callable) {
      const h = this.healthOf(route.id);
      if (!h.breaker.tryAcquire()) {
        attempts.push({ route: route.id, error: 'skipped: failing recently (circuit open)' });
        continue;
      }
      const attempt = new AbortController();
      const signal = req.signal ? AbortSignal.any([req.signal, attempt.signal]) : attempt.signal;
      const timer = setTimeout(() => attempt.abort(new FirstTokenTimeout()), this.options.firstTokenTimeoutMs);
      const started = this.now();
      let firstTokenAt: number | null = null;
      const markFirst = function* (): Generator<ModelStreamPart> {
        if (firstTokenAt !== null) return;
        firstTokenAt = Date.now();
        clearTimeout(timer);
        yield { type: 'route', route: route.id, failedOver: [...attempts] };
      };
      h.calls++;
      const traced = startSpan('model.call', { 'tether.task': task, 'tether.route': route.id, 'gen_ai.request.model': route.model });
      try {
        const { jsonSchema, streamText } = await import('ai');
        const result = streamText({
          model: await languageModel(route, this.options.credentials),
          system: req.system,
          messages: req.messages,
          maxOutputTokens: req.maxOutputTokens,
          tools: req.tools && Object.fromEntries(Object.entries(req.tools).map(([name, t]) => [name, { description: t.description, inputSchema: jsonSchema(t.inputSchema) }])),
          // The router is the retry policy: one attempt per route.
          maxRetries: 0,
          abortSignal: signal,
          onError: () => {},
        });
        let finishReason = 'stop';
        let inputTokens = 0;
        let outputTokens = 0;
        for await (const part of result.fullStream) {
          switch (part.type) {
            case 'error': throw part.error;
            case 'abort': throw signal.reason ?? new Error('aborted');
            case 'text-delta':
              yield* markFirst();
              if (part.text) yield { type: 'text-delta', text: part.text };
              break;
            case 'tool-input-start':
              yield* markFirst();
              break;
            case 'tool-call':
              yield* markFirst();
              yield 'invalid' in part && part.invalid
                ? { type: 'tool-call', callId: part.toolCallId, toolName: part.toolName, input: part.input, inputError: errorText(part.error) }
                : { type: 'tool-call', callId: part.toolCallId, toolName: part.toolName, input: part.input };
              break;
            case 'finish-step':
              finishReason = part.finishReason;
              inputTokens += part.usage.inputTokens ?? 0;
              outputTokens += part.usage.outputTokens ?? 0;
              break;
          }
        }
        clearTimeout(timer);
        h.breaker.success();
        h.successes++;
        h.lastSuccessAt = new Date(this.now()).toISOString();
        h.firstTokenMsTotal += (firstTokenAt ?? Date.now()) - started;
        const usage = { inputTokens, outputTokens, costUsd: estimateCostUsd(route.provider, route.model, inputTokens, outputTokens) };
        await this.meter(task, route, req.usage, usage, 'ok');
        traced.span.setAttributes({ 'gen_ai.usage.input_tokens': inputTokens, 'gen_ai.usage.output_tokens': outputTokens });
        traced.span.end();
        if (attempts.length) await this.failover(req.usage, attempts, route.id);
        yield { type: 'finish', route: route.id, finishReason, usage };
        return;
      } catch (err) {
        clearTimeout(timer);
        const timedOut = attempt.signal.aborted && !req.signal?.aborted;
        const f = timedOut
          ? { kind: 'transient' as const, message: `no first token within ${this.options.firstTokenTimeoutMs} ms` }
          : classifyFailure(err, req.signal);
        const message = redact(f.message, this.secrets);
        failSpan(traced.span, message);
        if (f.kind === 'aborted') {
          h.breaker.release();
          await this.meter(task, route, req.usage, zeroUsage, 'aborted');
          throw new ModelCallError('aborted', 'Stopped.');
        }
        await this.meter(task, route, req.usage, zeroUsage, 'error');
        if (firstTokenAt !== null) {
          h.breaker.failure();
          h.failures++;
          this.noteFailure(h, message);
          throw new ModelCallError('stream', `${route.id} failed in the middle of its reply: ${message}`, [...attempts, { route: route.id, error: message }]);
        }
        if (f.kind === 'request') {
          // The request is at fault, not the route: the breaker learns nothing.
          h.breaker.release();
          this.noteFailure(h, message);
          throw new ModelCallError('request', `${route.id} refused the request: ${message}`, [...attempts, { route: route.id, error: message }]);
        }
        h.breaker.failure();
        h.failures++;
        this.noteFailure(h, message);
        this.options.log.warn({ route: route.id, status: 'status' in f ? f.status : undefined, err: message }, 'model route failed; trying the next');
        attempts.push({ route: route.id, error: message });
      }
    }
    await this.failover(req.usage, attempts, null);
    throw new ModelCallError('unavailable', `No model route answered. ${attempts.map((a) => `${a.route}: ${a.error}`).join('; ')}`, attempts);
  }

  private async failover(context: UsageContext | undefined, failed: { route: string; error: string }[], answeredBy: string | null) {
    try {
      await this.options.onFailover?.({ context: context ?? {}, failed, answeredBy });
    } catch (err) {
      // Like metering: recording must not change the call's outcome; the gap is logged.
      this.options.log.error({ err: errorText(err), answeredBy }, 'could not record a model failover');
    }
  }

  private noteFailure(h: Health, message: string) {
    h.lastError = { message, at: new Date(this.now()).toISOString() };
  }

  private async meter(task: ModelTask, route: Route, context: UsageContext | undefined, usage: ModelUsageFigures, outcome: 'ok' | 'error' | 'aborted') {
    if (!this.options.meter) return;
    try {
      await this.options.meter.record({ route: usageRouteKey(task, route.id), context: context ?? {}, ...usage, outcome });
    } catch (err) {
      // Metering must not turn an answered call into a failed one; the gap is logged.
      this.options.log.error({ err: errorText(err), route: route.id, task }, 'could not record model usage');
    }
  }

  private healthOf(id: string): Health {
    let h = this.health.get(id);
    if (!h) {
      h = {
        breaker: new CircuitBreaker(this.options.breaker ?? defaultBreakerOptions, this.now),
        calls: 0, failures: 0, lastError: null, lastSuccessAt: null, firstTokenMsTotal: 0, successes: 0,
      };
      this.health.set(id, h);
    }
    return h;
  }
}

const zeroUsage: ModelUsageFigures = { inputTokens: 0, outputTokens: 0, costUsd: 0 };

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
