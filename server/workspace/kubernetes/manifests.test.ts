import { describe, expect, it } from 'vitest';
import { claimManifest, clonePolicyManifest, networkPolicyManifest, podManifest, snapshotClaimManifest, workspaceObjectName } from './manifests.ts';
import type { KubernetesSettings } from './settings.ts';

const settings: KubernetesSettings = {
  namespace: 'tether-ws', image: 'ghcr.io/acme/workspace:1.2', storageClass: 'fast-ssd',
  cpu: { request: '250m', limit: '2' }, memory: { request: '512Mi', limit: '4Gi' }, disk: '20Gi', mountPath: '/workspace',
  snapshotDisk: '3Gi', snapshotPath: '/tether-snapshots.git',
};
const ID = 'cmAbC_12-x';
const NAME = workspaceObjectName(ID);
const LABELS = { 'app.kubernetes.io/name': 'tether-workspace', 'app.kubernetes.io/managed-by': 'tether', 'tether.dev/workspace': NAME };
const META = { name: NAME, labels: LABELS, annotations: { 'tether.dev/workspace-id': ID } };

describe('workspace manifests', () => {
  it('names objects with a DNS label derived from the id, different for ids that differ only in case', () => {
    expect(NAME).toMatch(/^tether-ws-[0-9a-f]{20}$/);
    expect(workspaceObjectName('ABC')).not.toBe(workspaceObjectName('abc'));
  });

  it('claims the configured size from the configured storage class, or the default class', () => {
    expect(claimManifest(ID, settings)).toEqual({
      apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: META,
      spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'fast-ssd', resources: { requests: { storage: '20Gi' } } },
    });
    expect(claimManifest(ID, { ...settings, storageClass: null }).spec).not.toHaveProperty('storageClassName');
  });

  it('claims the checkpoint store apart, of its own size, named after the workspace', () => {
    expect(snapshotClaimManifest(ID, settings)).toEqual({
      apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { ...META, name: `${NAME}-snapshots` },
      spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'fast-ssd', resources: { requests: { storage: '3Gi' } } },
    });
  });

  it('denies all egress with the network off: the pod is selected, policy type Egress, no rule', () => {
    expect(networkPolicyManifest(ID, false)).toEqual({
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: META,
      spec: { podSelector: { matchLabels: { 'tether.dev/workspace': NAME } }, policyTypes: ['Egress'], egress: [] },
    });
  });

  it('with the network on allows only Tether\'s egress proxy port on Tether\'s pods, and the cluster DNS', () => {
    expect(networkPolicyManifest(ID, true).spec!.egress).toEqual([
      {
        to: [{ namespaceSelector: { matchLabels: { 'tether.dev/egress-proxy': 'true' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'tether' } } }],
        ports: [{ protocol: 'TCP', port: 3128 }],
      },
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
      },
    ]);
  });

  it('while a clone runs, allows DNS and the clone\'s one port on public addresses only', () => {
    expect(clonePolicyManifest(ID, 443)).toEqual({
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: META,
      spec: {
        podSelector: { matchLabels: { 'tether.dev/workspace': NAME } }, policyTypes: ['Egress'],
        egress: [
          {
            to: [
              { ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16', '100.64.0.0/10', '127.0.0.0/8'] } },
              { ipBlock: { cidr: '::/0', except: ['fc00::/7', 'fe80::/10'] } },
            ],
            ports: [{ protocol: 'TCP', port: 443 }],
          },
          {
            to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
            ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
          },
        ],
      },
    });
  });

  it('runs the image as the workspace uid, locked down, with the claim at the workspace path, and the store in the checkpoints container alone', () => {
    const locked = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, privileged: false, capabilities: { drop: ['ALL'] } };
    expect(podManifest(ID, 200_123, settings)).toEqual({
      apiVersion: 'v1', kind: 'Pod', metadata: META,
      spec: {
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        shareProcessNamespace: false,
        restartPolicy: 'Always',
        terminationGracePeriodSeconds: 5,
        securityContext: { runAsNonRoot: true, runAsUser: 200_123, runAsGroup: 200_123, fsGroup: 200_123, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [
          {
            name: 'workspace',
            image: 'ghcr.io/acme/workspace:1.2',
            command: ['sleep', 'infinity'],
            workingDir: '/workspace',
            env: [{ name: 'HOME', value: '/workspace' }],
            resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '2', memory: '4Gi' } },
            securityContext: locked,
            volumeMounts: [{ name: 'files', mountPath: '/workspace' }, { name: 'tmp', mountPath: '/tmp' }],
          },
          {
            name: 'checkpoints',
            image: 'ghcr.io/acme/workspace:1.2',
            command: ['sleep', 'infinity'],
            workingDir: '/workspace',
            env: [{ name: 'HOME', value: '/tmp' }],
            resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '1', memory: '1Gi' } },
            securityContext: locked,
            volumeMounts: [
              { name: 'files', mountPath: '/workspace' },
              { name: 'snapshots', mountPath: '/tether-snapshots.git' },
              { name: 'checkpoints-tmp', mountPath: '/tmp' },
            ],
          },
        ],
        volumes: [
          { name: 'files', persistentVolumeClaim: { claimName: NAME } },
          { name: 'snapshots', persistentVolumeClaim: { claimName: `${NAME}-snapshots` } },
          { name: 'tmp', emptyDir: { sizeLimit: '1Gi' } },
          { name: 'checkpoints-tmp', emptyDir: { sizeLimit: '64Mi' } },
        ],
      },
    });
  });
});
