-- AlterTable
ALTER TABLE "Approval" ADD COLUMN     "answer" TEXT,
ADD COLUMN     "detail" JSONB,
ADD COLUMN     "rule" TEXT,
ADD COLUMN     "runId" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "teamId" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "tool" TEXT NOT NULL DEFAULT '';

-- CreateIndex
CREATE INDEX "Approval_teamId_status_idx" ON "Approval"("teamId", "status");


