-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Approval" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "sessionId" TEXT NOT NULL,
    "toolCallId" TEXT NOT NULL,
    "risk" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "requestedById" TEXT,
    "decidedById" TEXT,
    "reason" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "decidedAt" DATETIME,
    "expiresAt" DATETIME NOT NULL,
    "teamId" TEXT NOT NULL DEFAULT '',
    "runId" TEXT NOT NULL DEFAULT '',
    "tool" TEXT NOT NULL DEFAULT '',
    "detail" JSONB,
    "rule" TEXT,
    "answer" TEXT,
    CONSTRAINT "Approval_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "Session" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Approval" ("createdAt", "decidedAt", "decidedById", "expiresAt", "id", "reason", "requestedById", "risk", "sessionId", "status", "toolCallId") SELECT "createdAt", "decidedAt", "decidedById", "expiresAt", "id", "reason", "requestedById", "risk", "sessionId", "status", "toolCallId" FROM "Approval";
DROP TABLE "Approval";
ALTER TABLE "new_Approval" RENAME TO "Approval";
CREATE INDEX "Approval_teamId_status_idx" ON "Approval"("teamId", "status");
CREATE UNIQUE INDEX "Approval_sessionId_toolCallId_key" ON "Approval"("sessionId", "toolCallId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;


