// The Kubernetes objects of one workspace, as plain data: a PersistentVolumeClaim (its files), a
// NetworkPolicy (what may leave it), and a Pod (where its processes run). Pure functions, so the
// exact manifests are checked by tests without a cluster. Only types come from the client library.
import { createHash } from 'node:crypto';
import type { V1NetworkPolicy, V1PersistentVolumeClaim, V1Pod } from '@kubernetes/client-node';
import type { KubernetesSettings } from './settings.ts';

/** The container every process of a workspace runs in (exec targets it by name). */
export const WORKSPACE_CONTAINER = 'workspace';
/** Labels of Tether's own pods (deploy/kubernetes/tether.yaml): a network-on workspace may reach them, nothing else. */
export const TETHER_POD_LABELS = { 'app.kubernetes.io/name': 'tether' } as const;
/**
 * The label an operator puts on Tether's own namespace (deploy/kubernetes/tether.yaml): only
 * cluster administrators label namespaces, so no workspace can make itself a proxy.
 */
export const TETHER_NAMESPACE_LABELS = { 'tether.dev/egress-proxy': 'true' } as const;
/** The port Tether's egress proxy would take pod connections on (see docs/deploy.md: not served yet). */
export const EGRESS_PROXY_PORT = 3128;
const WORKSPACE_ID_ANNOTATION = 'tether.dev/workspace-id';
const WORKSPACE_LABEL = 'tether.dev/workspace';

/**
 * Object names and label values are DNS labels (lowercase, ≤ 63); workspace ids are not (case,
 * `_`), so the name is a digest of the id, and the id itself is kept in an annotation.
 */
export function workspaceObjectName(id: string): string {
  return `tether-ws-${createHash('sha256').update(id).digest('hex').slice(0, 20)}`;
}

export function workspaceLabels(id: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'tether-workspace',
    'app.kubernetes.io/managed-by': 'tether',
    [WORKSPACE_LABEL]: workspaceObjectName(id),
  };
}

function metadata(id: string) {
  return { name: workspaceObjectName(id), labels: workspaceLabels(id), annotations: { [WORKSPACE_ID_ANNOTATION]: id } };
}

export function claimManifest(id: string, s: KubernetesSettings): V1PersistentVolumeClaim {
  return {
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: metadata(id),
    spec: {
      accessModes: ['ReadWriteOnce'],
      ...(s.storageClass ? { storageClassName: s.storageClass } : {}),
      // The claim's size is the disk quota: the volume refuses writes past it (ENOSPC), as the local disk image does.
      resources: { requests: { storage: s.disk } },
    },
  };
}

/**
 * Network off: the pod is selected for egress with no rule, so nothing leaves it (DNS included).
 * Network on: it may reach Tether's pods (in the labelled namespace) on the egress proxy port, and the cluster DNS to find
 * them — never the internet directly, so the proxy's allowlist and approvals still decide.
 */
export function networkPolicyManifest(id: string, networkAllowed: boolean): V1NetworkPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: metadata(id),
    spec: {
      podSelector: { matchLabels: { [WORKSPACE_LABEL]: workspaceObjectName(id) } },
      policyTypes: ['Egress'],
      egress: networkAllowed
        ? [
          {
            to: [{ namespaceSelector: { matchLabels: { ...TETHER_NAMESPACE_LABELS } }, podSelector: { matchLabels: { ...TETHER_POD_LABELS } } }],
            ports: [{ protocol: 'TCP', port: EGRESS_PROXY_PORT }],
          },
          {
            to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
            ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
          },
        ]
        : [],
    },
  };
}

export function podManifest(id: string, uid: number, s: KubernetesSettings): V1Pod {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: metadata(id),
    spec: {
      // Workspace code has no business with the Kubernetes API or with other services' addresses.
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 5,
      securityContext: {
        runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, fsGroup: uid,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      containers: [{
        name: WORKSPACE_CONTAINER,
        image: s.image,
        // Keeps the pod alive; every process of the workspace arrives through the exec API.
        command: ['sleep', 'infinity'],
        workingDir: s.mountPath,
        env: [{ name: 'HOME', value: s.mountPath }],
        resources: {
          requests: { cpu: s.cpu.request, memory: s.memory.request },
          limits: { cpu: s.cpu.limit, memory: s.memory.limit },
        },
        securityContext: {
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          privileged: false,
          capabilities: { drop: ['ALL'] },
        },
        // The root filesystem is read-only: the workspace and /tmp are the only writable places, as in the local sandbox.
        volumeMounts: [{ name: 'files', mountPath: s.mountPath }, { name: 'tmp', mountPath: '/tmp' }],
      }],
      volumes: [
        { name: 'files', persistentVolumeClaim: { claimName: workspaceObjectName(id) } },
        { name: 'tmp', emptyDir: { sizeLimit: '1Gi' } },
      ],
    },
  };
}
