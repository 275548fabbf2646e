import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config.ts';

describe('configuration', () => {
  it('has embedded defaults: production, port 3000, loopback, SQLite in ./data', () => {
    const c = parseConfig({});
    expect(c).toMatchObject({ NODE_ENV: 'production', PORT: 3000, HOST: '127.0.0.1', dev: false });
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.dataDir).toBe(path.resolve('./data'));
  });

  it('stops with a message naming each bad variable and what it expects', () => {
    expect(() => parseConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x' })).toThrow(ConfigError);
    try {
      parseConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x' });
    } catch (err) {
      expect((err as Error).message).toMatch(/PORT: expected a port number \(got "eighty"\)/);
      expect((err as Error).message).toMatch(/DATABASE_URL: expected postgresql:\/\/… or file:… \(got "mysql:\/\/x"\)/);
    }
  });

  it('names a malformed model route list at start-up', () => {
    expect(() => parseConfig({ TETHER_MODELS: 'anthropic:claude, gpt-4' })).toThrow(/TETHER_MODELS: expected comma-separated provider:model entries/);
    expect(parseConfig({ TETHER_MODELS: 'anthropic:claude-sonnet-4-5, compat:qwen2.5-coder' }).TETHER_MODELS).toBeTruthy();
  });

  it('reads the extraction routes and the context windows operators set, and names a bad one', () => {
    const c = parseConfig({ TETHER_MODELS_EXTRACTION: 'compat:qwen2.5-coder:1.5b', TETHER_MODEL_CONTEXT_1: 'compat:qwen2.5-coder:1.5b=32768', TETHER_MODEL_CONTEXT_2: 'compat:my-model=4096' });
    expect(c.TETHER_MODELS_EXTRACTION).toBe('compat:qwen2.5-coder:1.5b');
    expect([...c.modelContextWindows]).toEqual([['compat:qwen2.5-coder:1.5b', 32768], ['compat:my-model', 4096]]);
    expect(() => parseConfig({ TETHER_MODELS_EXTRACTION: 'qwen' })).toThrow(/TETHER_MODELS_EXTRACTION: expected comma-separated provider:model/);
    expect(() => parseConfig({ TETHER_MODEL_CONTEXT_1: 'compat:x' })).toThrow(/TETHER_MODEL_CONTEXT_1: expected provider:model=tokens/);
    expect(() => parseConfig({ TETHER_MODEL_CONTEXT_3: 'compat:x=100' })).toThrow(/TETHER_MODEL_CONTEXT_3: a context window under 4096/);
  });

  it('names a malformed sandbox limit', () => {
    expect(() => parseConfig({ TETHER_SANDBOX_PROCESSES: 'lots' })).toThrow(/TETHER_SANDBOX_PROCESSES/);
  });

  it('bounds each workspace to 10 GiB of disk unless told otherwise, and refuses a useless quota', () => {
    expect(parseConfig({}).TETHER_WORKSPACE_DISK_BYTES).toBe(10 * 1024 ** 3);
    expect(parseConfig({ TETHER_WORKSPACE_DISK_BYTES: '0' }).TETHER_WORKSPACE_DISK_BYTES).toBe(0);
    expect(() => parseConfig({ TETHER_WORKSPACE_DISK_BYTES: '4096' })).toThrow(/TETHER_WORKSPACE_DISK_BYTES: expected 0 \(off\) or at least 16777216 bytes/);
  });

  it('reads server-local clone roots as absolute paths', () => {
    expect(parseConfig({}).TETHER_GIT_LOCAL_ROOTS).toEqual([]);
    expect(parseConfig({ TETHER_GIT_LOCAL_ROOTS: '/srv/git, /home/shared/repos' }).TETHER_GIT_LOCAL_ROOTS).toEqual(['/srv/git', '/home/shared/repos']);
    expect(() => parseConfig({ TETHER_GIT_LOCAL_ROOTS: 'repos' })).toThrow(/TETHER_GIT_LOCAL_ROOTS: expected comma-separated absolute paths/);
  });

  it('reads pinned egress upstreams as name:port → address:port', () => {
    expect(parseConfig({}).TETHER_EGRESS_PINNED.size).toBe(0);
    const pinned = parseConfig({ TETHER_EGRESS_PINNED: 'Mirror.internal:443=10.1.2.3:8443, v6.internal:80=[fd00::1]:80' }).TETHER_EGRESS_PINNED;
    expect([...pinned]).toEqual([['mirror.internal:443', { host: '10.1.2.3', port: 8443 }], ['v6.internal:80', { host: 'fd00::1', port: 80 }]]);
    expect(() => parseConfig({ TETHER_EGRESS_PINNED: 'mirror.internal=10.1.2.3' })).toThrow(/TETHER_EGRESS_PINNED: expected name:port=address:port/);
  });

  it('reads the hosts whose TLS the egress proxy leaves alone, and the extra upstream roots', () => {
    expect(parseConfig({}).TETHER_EGRESS_OPAQUE).toEqual([]);
    expect(parseConfig({ TETHER_EGRESS_OPAQUE: 'Pinned.example.com, *.mtls.example' }).TETHER_EGRESS_OPAQUE).toEqual(['pinned.example.com', '*.mtls.example']);
    expect(() => parseConfig({ TETHER_EGRESS_OPAQUE: 'not a host' })).toThrow(/TETHER_EGRESS_OPAQUE: expected comma-separated host names/);
    expect(() => parseConfig({ TETHER_EGRESS_UPSTREAM_CA: 'ca.pem' })).toThrow(/TETHER_EGRESS_UPSTREAM_CA: expected an absolute path/);
  });

  it('keeps workspaces local unless told otherwise, and needs an image for the kubernetes provider', () => {
    expect(parseConfig({})).toMatchObject({ TETHER_WORKSPACE_PROVIDER: 'local', kubernetes: null });
    expect(() => parseConfig({ TETHER_WORKSPACE_PROVIDER: 'docker' })).toThrow(/TETHER_WORKSPACE_PROVIDER: expected local or kubernetes/);
    expect(() => parseConfig({ TETHER_WORKSPACE_PROVIDER: 'kubernetes' })).toThrow(/TETHER_K8S_IMAGE: required when TETHER_WORKSPACE_PROVIDER=kubernetes/);
    expect(parseConfig({ TETHER_WORKSPACE_PROVIDER: 'kubernetes', TETHER_K8S_IMAGE: 'ghcr.io/acme/ws:1' }).kubernetes).toEqual({
      namespace: 'tether-workspaces', image: 'ghcr.io/acme/ws:1', storageClass: null,
      cpu: { request: '500m', limit: '2' }, memory: { request: '1Gi', limit: '2Gi' }, disk: '10Gi', mountPath: '/workspace',
      snapshotDisk: '5Gi', snapshotPath: '/tether-snapshots.git',
    });
  });

  it('reads the pods\' namespace, storage class, resources and disk, and names a malformed one', () => {
    const c = parseConfig({
      TETHER_WORKSPACE_PROVIDER: 'kubernetes', TETHER_K8S_IMAGE: 'registry.local:5000/ws@sha256:abc', TETHER_K8S_NAMESPACE: 'ide',
      TETHER_K8S_STORAGE_CLASS: 'fast.ssd', TETHER_K8S_CPU: '250m/1500m', TETHER_K8S_MEMORY: '3Gi', TETHER_K8S_DISK: '50Gi',
      TETHER_K8S_SNAPSHOT_DISK: '20Gi',
    }).kubernetes;
    expect(c).toMatchObject({ namespace: 'ide', storageClass: 'fast.ssd', cpu: { request: '250m', limit: '1500m' }, memory: { request: '3Gi', limit: '3Gi' }, disk: '50Gi', snapshotDisk: '20Gi' });
    expect(() => parseConfig({ TETHER_K8S_CPU: 'two cores' })).toThrow(/TETHER_K8S_CPU: expected a Kubernetes quantity such as 500m or 2Gi, or request\/limit/);
    expect(() => parseConfig({ TETHER_K8S_MEMORY: '1Gi/2Gi/3Gi' })).toThrow(/TETHER_K8S_MEMORY: expected a Kubernetes quantity/);
    expect(() => parseConfig({ TETHER_K8S_DISK: '10 GB' })).toThrow(/TETHER_K8S_DISK: expected a Kubernetes quantity such as 10Gi/);
    expect(() => parseConfig({ TETHER_K8S_SNAPSHOT_DISK: 'lots' })).toThrow(/TETHER_K8S_SNAPSHOT_DISK: expected a Kubernetes quantity/);
    expect(() => parseConfig({ TETHER_K8S_NAMESPACE: 'Tether_WS' })).toThrow(/TETHER_K8S_NAMESPACE: expected a DNS label/);
    expect(() => parseConfig({ TETHER_K8S_IMAGE: 'my image' })).toThrow(/TETHER_K8S_IMAGE: expected an image reference/);
  });

  it('accepts PostgreSQL and development mode', () => {
    const c = parseConfig({ DATABASE_URL: 'postgresql://u@h:5432/db', NODE_ENV: 'development' });
    expect(c.DATABASE_URL).toBe('postgresql://u@h:5432/db');
    expect(c.dev).toBe(true);
  });
});
