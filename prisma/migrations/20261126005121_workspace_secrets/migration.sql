-- CreateTable
CREATE TABLE "WorkspaceSecret" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workspaceId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "ciphertext" TEXT NOT NULL,
    "hosts" JSONB NOT NULL,
    "headerName" TEXT NOT NULL DEFAULT 'Authorization',
    "headerTemplate" TEXT NOT NULL DEFAULT 'Bearer {secret}',
    "exposeAsEnv" TEXT,
    "createdById" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "WorkspaceSecret_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "WorkspaceSecret_workspaceId_name_key" ON "WorkspaceSecret"("workspaceId", "name");


