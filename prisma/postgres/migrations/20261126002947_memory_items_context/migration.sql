-- AlterTable
ALTER TABLE "MemoryItem" ADD COLUMN     "closedReason" TEXT,
ADD COLUMN     "confidence" DOUBLE PRECISION NOT NULL DEFAULT 1,
ADD COLUMN     "origin" TEXT NOT NULL DEFAULT 'user',
ADD COLUMN     "scope" TEXT NOT NULL DEFAULT 'session',
ADD COLUMN     "sourceSeqs" JSONB,
ADD COLUMN     "status" TEXT NOT NULL DEFAULT 'live',
ADD COLUMN     "supersededById" TEXT,
ADD COLUMN     "workspaceId" TEXT;

-- CreateIndex
CREATE INDEX "MemoryItem_sessionId_status_idx" ON "MemoryItem"("sessionId", "status");

-- CreateIndex
CREATE INDEX "MemoryItem_workspaceId_scope_idx" ON "MemoryItem"("workspaceId", "scope");


