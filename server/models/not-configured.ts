// What the agent panel shows when no route can be called: honest, with the way out.
export const notConfiguredHowTo = [
  'No model is configured, so the agent cannot run.',
  'Set, on the server, one or more of:',
  '  ANTHROPIC_API_KEY=…            (Anthropic; ANTHROPIC_BASE_URL for a proxy)',
  '  OPENAI_API_KEY=…               (OpenAI; OPENAI_BASE_URL for a proxy)',
  '  OPENAI_BASE_URL=http://host/v1 (any OpenAI-compatible server: Ollama, vLLM, llama.cpp, OpenRouter …)',
  'and the routes to use, primary first:',
  '  TETHER_MODELS=anthropic:claude-sonnet-4-5,openai:gpt-4.1,compat:qwen2.5-coder',
  'then restart Tether, or set the routes on the admin page.',
].join('\n');

/** Why a run could not start, as recorded in the session's events, which every viewer reads. */
export const notConfiguredRun = 'No model is configured, so the agent cannot run. An admin configures one on the admin page.';

/** What members see instead: the server's environment is neither theirs to set nor theirs to read. */
export const askAnAdmin = 'Ask an admin to configure a model.';
