#!/usr/bin/env node
import { ensureBuild, ensureDependencies, ensureServerBuild } from './lib/bootstrap.mjs';

ensureDependencies();
const force = process.argv.includes('--force');
ensureBuild({ force });
await ensureServerBuild({ force });
