-- CreateTable
CREATE TABLE "EgressAllowEntry" (
    "id" TEXT NOT NULL,
    "teamId" TEXT NOT NULL,
    "workspaceId" TEXT,
    "host" TEXT NOT NULL,
    "note" TEXT NOT NULL DEFAULT '',
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "EgressAllowEntry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TeamEgressSettings" (
    "teamId" TEXT NOT NULL,
    "defaultsAddedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TeamEgressSettings_pkey" PRIMARY KEY ("teamId")
);

-- CreateIndex
CREATE INDEX "EgressAllowEntry_teamId_workspaceId_idx" ON "EgressAllowEntry"("teamId", "workspaceId");

-- AddForeignKey
ALTER TABLE "EgressAllowEntry" ADD CONSTRAINT "EgressAllowEntry_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EgressAllowEntry" ADD CONSTRAINT "EgressAllowEntry_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TeamEgressSettings" ADD CONSTRAINT "TeamEgressSettings_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE CASCADE ON UPDATE CASCADE;


