// The Kubernetes objects of one workspace, as plain data: two PersistentVolumeClaims (its files,
// and its checkpoint store), a NetworkPolicy (what may leave it), and a Pod (where its processes
// run, and beside them the container that keeps checkpoints). Pure functions, so the
// exact manifests are checked by tests without a cluster. Only types come from the client library.
import { createHash } from 'node:crypto';
import type { V1NetworkPolicy, V1PersistentVolumeClaim, V1Pod } from '@kubernetes/client-node';
import type { KubernetesSettings } from './settings.ts';

/** The container every process of a workspace runs in (exec targets it by name). */
export const WORKSPACE_CONTAINER = 'workspace';
/** The container checkpoint git runs in: the only one that mounts the snapshot store. */
export const CHECKPOINTS_CONTAINER = 'checkpoints';
/**
 * Checkpoint git between agent steps: a fraction of a core guaranteed, and room for `git add` of a
 * large tree. Counted in the pod's requests (scheduling) but idle, as `sleep`, the rest of the time.
 */
const CHECKPOINTS_RESOURCES = { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '1', memory: '1Gi' } };
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

/** The checkpoint store's claim: the workspace's name with a suffix, so both go with the workspace. */
export function snapshotClaimName(id: string): string {
  return `${workspaceObjectName(id)}-snapshots`;
}

function claim(id: string, name: string, storage: string, s: KubernetesSettings): V1PersistentVolumeClaim {
  return {
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { ...metadata(id), name },
    spec: {
      accessModes: ['ReadWriteOnce'],
      ...(s.storageClass ? { storageClassName: s.storageClass } : {}),
      resources: { requests: { storage } },
    },
  };
}

/** The claim's size is the disk quota: the volume refuses writes past it (ENOSPC), as the local disk image does. */
export function claimManifest(id: string, s: KubernetesSettings): V1PersistentVolumeClaim {
  return claim(id, workspaceObjectName(id), s.disk, s);
}

/** Sized apart from the workspace's (settings.snapshotDisk): a full store fails a checkpoint, never a workspace write. */
export function snapshotClaimManifest(id: string, s: KubernetesSettings): V1PersistentVolumeClaim {
  return claim(id, snapshotClaimName(id), s.snapshotDisk, s);
}

const KUBE_DNS = {
  to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
  ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
};

function egressPolicy(id: string, egress: NonNullable<V1NetworkPolicy['spec']>['egress']): V1NetworkPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: metadata(id),
    spec: { podSelector: { matchLabels: { [WORKSPACE_LABEL]: workspaceObjectName(id) } }, policyTypes: ['Egress'], egress },
  };
}

/**
 * Network off: the pod is selected for egress with no rule, so nothing leaves it (DNS included).
 * Network on: it may reach Tether's pods (in the labelled namespace) on the egress proxy port, and the cluster DNS to find
 * them — never the internet directly, so the proxy's allowlist and approvals still decide.
 */
export function networkPolicyManifest(id: string, networkAllowed: boolean): V1NetworkPolicy {
  return egressPolicy(id, networkAllowed
    ? [
      {
        to: [{ namespaceSelector: { matchLabels: { ...TETHER_NAMESPACE_LABELS } }, podSelector: { matchLabels: { ...TETHER_POD_LABELS } } }],
        ports: [{ protocol: 'TCP', port: EGRESS_PROXY_PORT }],
      },
      KUBE_DNS,
    ]
    : []);
}

/**
 * Addresses a clone may not reach: the pod, node and service networks, link-local (the cloud's
 * metadata service) and carrier-grade NAT — what the local egress proxy refuses as private.
 */
const PRIVATE_IPV4 = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16', '100.64.0.0/10', '127.0.0.0/8'];
const PRIVATE_IPV6 = ['fc00::/7', 'fe80::/10'];

/**
 * While a new workspace clones its repository, and only then: the same object as the workspace's
 * policy (replaced by networkPolicyManifest before the workspace is handed out), allowing DNS and
 * the clone URL's one port on public addresses. A NetworkPolicy cannot name a host, so the port
 * and the public-only ranges are as narrow as it gets; nothing but the clone runs in the pod yet.
 */
export function clonePolicyManifest(id: string, port: number): V1NetworkPolicy {
  return egressPolicy(id, [
    {
      to: [{ ipBlock: { cidr: '0.0.0.0/0', except: PRIVATE_IPV4 } }, { ipBlock: { cidr: '::/0', except: PRIVATE_IPV6 } }],
      ports: [{ protocol: 'TCP', port }],
    },
    KUBE_DNS,
  ]);
}

/** What both containers hold to: no privileges to gain, nothing of the image to change. */
const LOCKED_DOWN = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  privileged: false,
  capabilities: { drop: ['ALL'] },
};

/**
 * The workspace container, and beside it the checkpoints container, which alone mounts the
 * snapshot store (the second claim). Both run as the workspace uid; what keeps the workspace's
 * processes from the store is the pod's isolation between containers: each container has its
 * own mount namespace (the store is not in the workspace container's at all), the pod does not
 * share its process namespace (no /proc/<pid>/root into the other container), and no service
 * account token is mounted (no exec into the other container through the API). Do not set
 * shareProcessNamespace or mount the store in the workspace container: checkpoints would then be
 * theirs to rewrite.
 */
export function podManifest(id: string, uid: number, s: KubernetesSettings): V1Pod {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: metadata(id),
    spec: {
      // Workspace code has no business with the Kubernetes API or with other services' addresses.
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      shareProcessNamespace: false,
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 5,
      securityContext: {
        runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, fsGroup: uid,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      containers: [
        {
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
          securityContext: LOCKED_DOWN,
          // The root filesystem is read-only: the workspace and /tmp are the only writable places, as in the local sandbox.
          volumeMounts: [{ name: 'files', mountPath: s.mountPath }, { name: 'tmp', mountPath: '/tmp' }],
        },
        {
          name: CHECKPOINTS_CONTAINER,
          image: s.image,
          command: ['sleep', 'infinity'],
          workingDir: s.mountPath,
          // Not the workspace: git reads no config from a HOME the workspace's processes write.
          env: [{ name: 'HOME', value: '/tmp' }],
          resources: CHECKPOINTS_RESOURCES,
          securityContext: LOCKED_DOWN,
          // Its own /tmp: a /tmp shared with the workspace container would be a place to plant files for checkpoint git.
          volumeMounts: [
            { name: 'files', mountPath: s.mountPath },
            { name: 'snapshots', mountPath: s.snapshotPath },
            { name: 'checkpoints-tmp', mountPath: '/tmp' },
          ],
        },
      ],
      volumes: [
        { name: 'files', persistentVolumeClaim: { claimName: workspaceObjectName(id) } },
        { name: 'snapshots', persistentVolumeClaim: { claimName: snapshotClaimName(id) } },
        { name: 'tmp', emptyDir: { sizeLimit: '1Gi' } },
        { name: 'checkpoints-tmp', emptyDir: { sizeLimit: '64Mi' } },
      ],
    },
  };
}
