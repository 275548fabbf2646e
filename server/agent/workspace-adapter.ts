// Adapts a workspace (server/workspace/) to what the agent's tools use. The file service does
// the containment checks (symlinks included); this only bridges shapes.
import { FileError, type FileService } from '../workspace/files.ts';
import type { Workspace } from '../workspace/provider.ts';
import { maskSecrets } from '../secrets/mask.ts';
import type { SecretStore } from '../secrets/store.ts';
import type { AgentWorkspace, DirEntry, ToolFiles } from './tools/tool.ts';

/**
 * With secrets: commands get the variables the workspace's secret rules expose (read per
 * command, each hand-out audited), and everything the tools return is masked.
 */
export function agentWorkspace(ws: Workspace, secrets?: { store: SecretStore; workspaceId: string }): AgentWorkspace {
  return {
    files: toolFiles(ws.files),
    exec: secrets
      ? async (command, options) => {
        const env = await secrets.store.envFor(secrets.workspaceId, { kind: 'agent-command', userId: null });
        return ws.exec(command, { ...options, env: { ...env, ...options?.env } });
      }
      : (command, options) => ws.exec(command, options),
    snapshot: (label) => ws.snapshot(label),
    restore: (id) => ws.restore(id),
    ...(secrets ? {
      secretMasker: async () => {
        const values = await secrets.store.maskablesFor(secrets.workspaceId);
        return (text: string) => maskSecrets(text, values);
      },
    } : {}),
  };
}

/** The tools say '.' for the root; the file service says ''. */
const rel = (p: string) => (p === '.' ? '' : p);

export function toolFiles(files: FileService): ToolFiles {
  return {
    async readText(p) {
      const r = await files.read(rel(p));
      if (r.kind === 'text') return r.content;
      throw new Error(r.kind === 'binary' ? `${r.path} is a binary file` : `${r.path} is too large to read (${r.size} bytes)`);
    },
    async writeText(p, content) {
      try {
        await files.write(rel(p), content);
      } catch (err) {
        if (!(err instanceof FileError) || err.code !== 'NOT_FOUND') throw err;
        await createParents(files, rel(p));
        await files.write(rel(p), content);
      }
    },
    async list(p) {
      return (await files.list(rel(p))).map((e): DirEntry => ({ name: e.name, kind: e.type === 'directory' ? 'dir' : e.type, size: e.size }));
    },
  };
}

async function createParents(files: FileService, p: string) {
  const parts = p.split('/').slice(0, -1);
  for (let i = 1; i <= parts.length; i++) {
    await files.createDir(parts.slice(0, i).join('/')).catch((err: unknown) => {
      if (!(err instanceof FileError) || err.code !== 'ALREADY_EXISTS') throw err;
    });
  }
}
