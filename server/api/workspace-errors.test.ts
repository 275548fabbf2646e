// Failures of the workspace host and of file operations done as the workspace user reach API
// callers with their words and a fitting code.
import { TRPCError } from '@trpc/server';
import { expect, it } from 'vitest';
import { FileError } from '../workspace/file-errors.ts';
import { WorkspaceHostError } from '../workspace/host/workspace-host.ts';
import { toApiError } from './errors.ts';

const apiError = (err: unknown) => {
  try {
    toApiError(err);
  } catch (e) {
    return e as TRPCError;
  }
  throw new Error('toApiError returned');
};

it('maps a stopped workspace host to SERVICE_UNAVAILABLE with its message', () => {
  const e = apiError(new WorkspaceHostError('The workspace host stopped (signal SIGKILL). The request was not completed; it restarts on the next request.'));
  expect(e).toBeInstanceOf(TRPCError);
  expect(e.code).toBe('SERVICE_UNAVAILABLE');
  expect(e.message).toMatch(/restarts on the next request/);
});

it('maps what the workspace user may not do, and a full disk', () => {
  expect(apiError(new FileError('PERMISSION_DENIED', 'Permission denied: a.txt', 'a.txt')).code).toBe('FORBIDDEN');
  const full = apiError(new FileError('NO_SPACE', 'No space left in the workspace: a.txt', 'a.txt'));
  expect(full.code).toBe('PAYLOAD_TOO_LARGE');
  expect(full.message).toBe('No space left in the workspace: a.txt');
});
