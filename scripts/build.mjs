#!/usr/bin/env node
import { ensureBuild, ensureDependencies } from './lib/bootstrap.mjs';

ensureDependencies();
ensureBuild({ force: process.argv.includes('--force') });
