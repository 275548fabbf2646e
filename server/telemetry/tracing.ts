// OpenTelemetry traces of agent steps and model calls, exported over OTLP/HTTP when
// OTEL_EXPORTER_OTLP_ENDPOINT is set. Without it the API's tracer is a no-op: spans cost nothing
// and the SDK is never loaded.
import { context, SpanStatusCode, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';
import type { Logger } from '../log.ts';

const tracer = () => trace.getTracer('tether');

/** Starts a span under `parent` (default: the active context). */
export function startSpan(name: string, attributes: Attributes, parent: Context = context.active()): { span: Span; context: Context } {
  const span = tracer().startSpan(name, { attributes }, parent);
  return { span, context: trace.setSpan(parent, span) };
}

/** Ends a span with an error status and the failure's message. */
export function failSpan(span: Span, message: string): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message });
  span.end();
}

/**
 * Iterates `source` with `ctx` active at every step, so spans started while it produces its
 * items (a model call inside a streaming generator) become children of the span in `ctx`.
 */
export async function* withContext<T>(ctx: Context, source: AsyncIterable<T>): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  try {
    for (;;) {
      const r = await context.with(ctx, () => it.next());
      if (r.done) return;
      yield r.value;
    }
  } finally {
    await context.with(ctx, async () => { await it.return?.(); });
  }
}

/** Installs the exporter; returns the function that flushes and stops it (at shutdown). */
export async function startTracing(o: { endpoint: string; instanceId: string; log: Logger }): Promise<() => Promise<void>> {
  const [{ TracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes }, { AsyncLocalStorageContextManager }] = await Promise.all([
    import('@opentelemetry/sdk-trace'), import('@opentelemetry/exporter-trace-otlp-http'), import('@opentelemetry/resources'), import('@opentelemetry/context-async-hooks'),
  ]);
  const exporter = new OTLPTraceExporter({ url: `${o.endpoint.replace(/\/+$/, '')}/v1/traces` });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'tether', 'service.instance.id': o.instanceId }),
    spanProcessors: [new BatchSpanProcessor({ exporter })],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  o.log.info({ endpoint: o.endpoint }, 'exporting traces over OTLP');
  return async () => {
    await provider.shutdown().catch((err: unknown) => o.log.warn({ err }, 'could not flush the last traces'));
    trace.disable();
    context.disable();
  };
}
