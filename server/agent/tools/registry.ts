// The built-in tools, in the order the model is shown them.
import type { ModelToolSpec } from '../../models/router.ts';
import { editFile } from './edit-file.ts';
import { git } from './git.ts';
import { listDir } from './list-dir.ts';
import { readFile } from './read-file.ts';
import { releaseCheck } from './release-check.ts';
import { runCommand } from './run-command.ts';
import { runTests } from './run-tests.ts';
import { search } from './search.ts';
import { inputJsonSchema, type AnyTool } from './tool.ts';
import { writeFile } from './write-file.ts';

export const builtinTools: AnyTool[] = [readFile, listDir, search, writeFile, editFile, runCommand, git, runTests, releaseCheck] as AnyTool[];

export type ToolRegistry = ReadonlyMap<string, AnyTool>;

export function toolRegistry(tools: AnyTool[] = builtinTools): ToolRegistry {
  return new Map(tools.map((t) => [t.name, t]));
}

/** What the model is shown: name → description and argument schema. */
export function toolSpecs(registry: ToolRegistry): Record<string, ModelToolSpec> {
  return Object.fromEntries([...registry.values()].map((t) => [t.name, { description: t.description, inputSchema: inputJsonSchema(t) as ModelToolSpec['inputSchema'] }]));
}
