import { describe, expect, it } from 'vitest';
import { claimManifest, networkPolicyManifest, podManifest, workspaceObjectName } from './manifests.ts';
import type { KubernetesSettings } from './settings.ts';

const settings: KubernetesSettings = {
  namespace: 'tether-ws', image: 'ghcr.io/acme/workspace:1.2', storageClass: 'fast-ssd',
  cpu: { request: '250m', limit: '2' }, memory: { request: '512Mi', limit: '4Gi' }, disk: '20Gi', mountPath: '/workspace',
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

  it('runs the image as the workspace uid, locked down, with the configured resources and the claim at the workspace path', () => {
    expect(podManifest(ID, 200_123, settings)).toEqual({
      apiVersion: 'v1', kind: 'Pod', metadata: META,
      spec: {
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        restartPolicy: 'Always',
        terminationGracePeriodSeconds: 5,
        securityContext: { runAsNonRoot: true, runAsUser: 200_123, runAsGroup: 200_123, fsGroup: 200_123, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [{
          name: 'workspace',
          image: 'ghcr.io/acme/workspace:1.2',
          command: ['sleep', 'infinity'],
          workingDir: '/workspace',
          env: [{ name: 'HOME', value: '/workspace' }],
          resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '2', memory: '4Gi' } },
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, privileged: false, capabilities: { drop: ['ALL'] } },
          volumeMounts: [{ name: 'files', mountPath: '/workspace' }, { name: 'tmp', mountPath: '/tmp' }],
        }],
        volumes: [
          { name: 'files', persistentVolumeClaim: { claimName: NAME } },
          { name: 'tmp', emptyDir: { sizeLimit: '1Gi' } },
        ],
      },
    });
  });
});
