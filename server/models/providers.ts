// Builds an AI SDK language model for a route. Keys live only here and in the provider clients.
// The provider clients are imported on the first call to a model, not when the server starts
// (together with `ai` they are ~25 MiB and ~0.3 s of start-up that most processes never use).
import type { LanguageModel } from 'ai';
import type { Config } from '../config.ts';
import type { Route } from './routes.ts';

export interface ModelCredentials {
  anthropicApiKey?: string;
  anthropicBaseUrl?: string;
  openaiApiKey?: string;
  openaiBaseUrl?: string;
}

export function credentialsFromConfig(c: Config): ModelCredentials {
  return {
    anthropicApiKey: c.ANTHROPIC_API_KEY,
    anthropicBaseUrl: c.ANTHROPIC_BASE_URL,
    openaiApiKey: c.OPENAI_API_KEY,
    openaiBaseUrl: c.OPENAI_BASE_URL,
  };
}

/** What is missing for a route to be callable, or null. Names variables, never values. */
export function missingSetting(route: Route, creds: ModelCredentials): string | null {
  switch (route.provider) {
    case 'anthropic': return creds.anthropicApiKey ? null : 'ANTHROPIC_API_KEY is not set';
    case 'openai': return creds.openaiApiKey ? null : 'OPENAI_API_KEY is not set';
    case 'compat': return creds.openaiBaseUrl ? null : 'OPENAI_BASE_URL is not set (the OpenAI-compatible endpoint)';
  }
}

export async function languageModel(route: Route, creds: ModelCredentials): Promise<LanguageModel> {
  switch (route.provider) {
    case 'anthropic': {
      const { createAnthropic } = await import('@ai-sdk/anthropic');
      return createAnthropic({ apiKey: creds.anthropicApiKey, baseURL: creds.anthropicBaseUrl })(route.model);
    }
    case 'openai': {
      const { createOpenAI } = await import('@ai-sdk/openai');
      // Chat Completions rather than the Responses API: the one wire format every
      // OpenAI-compatible server also speaks, so one protocol is exercised in tests.
      return createOpenAI({ apiKey: creds.openaiApiKey, baseURL: creds.openaiBaseUrl }).chat(route.model);
    }
    case 'compat': {
      const { createOpenAICompatible } = await import('@ai-sdk/openai-compatible');
      return createOpenAICompatible({
        name: 'compat',
        baseURL: creds.openaiBaseUrl ?? '',
        apiKey: creds.openaiApiKey,
        includeUsage: true,
      }).chatModel(route.model);
    }
  }
}

/** Every secret value, so messages that leave the server can be scrubbed of them. */
export function secretsOf(creds: ModelCredentials): string[] {
  return [creds.anthropicApiKey, creds.openaiApiKey].filter((s): s is string => !!s && s.length >= 4);
}
