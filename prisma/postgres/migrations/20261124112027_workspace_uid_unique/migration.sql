-- CreateIndex
CREATE UNIQUE INDEX "Workspace_uid_key" ON "Workspace"("uid");


