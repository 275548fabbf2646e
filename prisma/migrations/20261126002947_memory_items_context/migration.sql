-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_MemoryItem" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "sessionId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "content" TEXT NOT NULL,
    "pinned" BOOLEAN NOT NULL DEFAULT false,
    "version" INTEGER NOT NULL DEFAULT 1,
    "sourceEventIds" JSONB NOT NULL,
    "createdById" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'live',
    "closedReason" TEXT,
    "supersededById" TEXT,
    "sourceSeqs" JSONB,
    "scope" TEXT NOT NULL DEFAULT 'session',
    "workspaceId" TEXT,
    "origin" TEXT NOT NULL DEFAULT 'user',
    "confidence" REAL NOT NULL DEFAULT 1,
    CONSTRAINT "MemoryItem_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "Session" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_MemoryItem" ("content", "createdAt", "createdById", "id", "kind", "pinned", "sessionId", "sourceEventIds", "updatedAt", "version") SELECT "content", "createdAt", "createdById", "id", "kind", "pinned", "sessionId", "sourceEventIds", "updatedAt", "version" FROM "MemoryItem";
DROP TABLE "MemoryItem";
ALTER TABLE "new_MemoryItem" RENAME TO "MemoryItem";
CREATE INDEX "MemoryItem_sessionId_status_idx" ON "MemoryItem"("sessionId", "status");
CREATE INDEX "MemoryItem_workspaceId_scope_idx" ON "MemoryItem"("workspaceId", "scope");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;


