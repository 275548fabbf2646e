// The shapes shared by the four stages: memory kinds, a memory item as readers see it, and the
// candidates extraction proposes (validated with zod, since a model may propose them).
import { z } from 'zod';

export const memoryKindSchema = z.enum(['goal', 'constraint', 'decision', 'known_issue', 'done']);
export type MemoryKind = z.infer<typeof memoryKindSchema>;
export const MEMORY_KINDS = memoryKindSchema.options;

export const memoryScopeSchema = z.enum(['session', 'workspace']);
export type MemoryScope = z.infer<typeof memoryScopeSchema>;
export type MemoryStatus = 'live' | 'closed';
export type MemoryOrigin = 'rule' | 'model' | 'user';

export interface MemoryItemView {
  id: string;
  kind: MemoryKind;
  text: string;
  status: MemoryStatus;
  pinned: boolean;
  scope: MemoryScope;
  origin: MemoryOrigin;
  confidence: number;
  version: number;
  /** Seqs of the session events the item came from (empty for an item a person typed). */
  sourceSeqs: number[];
  supersededBy: string | null;
  closedReason: string | null;
}

export const candidateSchema = z.object({
  /** A name for this candidate within its batch, so a later candidate can supersede it. */
  ref: z.string().min(1).max(40),
  kind: memoryKindSchema,
  text: z.string().trim().min(3).max(500),
  sourceSeqs: z.array(z.number().int().nonnegative()).min(1).max(50),
  confidence: z.number().min(0).max(1),
  /** Item ids, or refs of earlier candidates in the same batch, this one replaces. */
  supersedes: z.array(z.string()).max(20).default([]),
});
export type Candidate = z.infer<typeof candidateSchema> & { origin: 'rule' | 'model' };

/** What a person may type for an item (the Memory panel's add and edit go through these). */
export const memoryTextSchema = z.string().trim().min(1).max(500);
export const newMemoryItemSchema = z.object({ kind: memoryKindSchema, text: memoryTextSchema, pinned: z.boolean().optional() });
export type NewMemoryItem = z.infer<typeof newMemoryItemSchema>;
