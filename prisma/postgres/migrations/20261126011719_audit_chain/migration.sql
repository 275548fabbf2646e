-- DropForeignKey
ALTER TABLE "Event" DROP CONSTRAINT "Event_sessionId_fkey";

-- AlterTable
ALTER TABLE "AuditEntry" ADD COLUMN     "hash" TEXT,
ADD COLUMN     "prevHash" TEXT,
ADD COLUMN     "seq" INTEGER,
ADD COLUMN     "sessionId" TEXT;

-- AlterTable
ALTER TABLE "Team" ADD COLUMN     "auditBaseHash" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "auditBaseSeq" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "auditHash" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "auditRetentionDays" INTEGER,
ADD COLUMN     "auditSeq" INTEGER NOT NULL DEFAULT 0;

-- CreateIndex
CREATE UNIQUE INDEX "AuditEntry_teamId_seq_key" ON "AuditEntry"("teamId", "seq");

-- CreateIndex
CREATE INDEX "Event_createdAt_idx" ON "Event"("createdAt");

-- AddForeignKey
ALTER TABLE "Event" ADD CONSTRAINT "Event_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "Session"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


