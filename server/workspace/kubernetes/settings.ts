// What an operator chooses for workspace pods (TETHER_K8S_*, parsed in server/config.ts). Kept
// apart from the provider so that reading the configuration never loads the Kubernetes client.
import { z } from 'zod';
import { GIT_DIR_MOUNT } from '../snapshots.ts';

/** A Kubernetes resource quantity: 500m, 2, 1.5, 512Mi, 10Gi, 1e3 … */
const QUANTITY = /^\d+(\.\d+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei|e\d+)?$/;

export interface ResourcePair { request: string; limit: string }

/**
 * `request` or `request/limit` ("500m/2": half a core guaranteed, two at most); one value sets
 * both, which gives the pod the Guaranteed QoS class.
 */
export const resourcePairSchema = z.string().transform((v, ctx): ResourcePair => {
  const parts = v.split('/').map((p) => p.trim());
  if (parts.length > 2 || !parts.every((p) => QUANTITY.test(p))) {
    ctx.addIssue({ code: 'custom', message: 'expected a Kubernetes quantity such as 500m or 2Gi, or request/limit such as 500m/2' });
    return z.NEVER;
  }
  return { request: parts[0]!, limit: parts[1] ?? parts[0]! };
});

export const quantitySchema = z.string().regex(QUANTITY, 'expected a Kubernetes quantity such as 10Gi');

/** DNS-1123 label: a namespace or storage class name. */
export const dnsLabelSchema = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'expected a DNS label: lowercase letters, digits and -');

/** DNS subdomain: a storage class name (may contain dots). */
export const storageClassSchema = z.string().regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, 'expected a storage class name: lowercase letters, digits, - and .');

/** An image reference, loosely: registry/name[:tag][@digest], no spaces. */
export const imageSchema = z.string().regex(/^[\w.\-/:@]+$/, 'expected an image reference such as ghcr.io/acme/workspace:1.0');

export interface KubernetesSettings {
  namespace: string;
  image: string;
  /** null: the cluster's default storage class. */
  storageClass: string | null;
  cpu: ResourcePair;
  memory: ResourcePair;
  /** The PersistentVolumeClaim's size: the workspace's disk quota. */
  disk: string;
  /** Where the claim is mounted in the pod, and the working directory of every process. */
  mountPath: string;
  /** The checkpoint store's claim size (a second claim, mounted only in the checkpoints container). */
  snapshotDisk: string;
  /** Where the checkpoints container mounts that claim: git's GIT_DIR. */
  snapshotPath: string;
}

export const DEFAULT_KUBERNETES_SETTINGS: Omit<KubernetesSettings, 'image'> = {
  namespace: 'tether-workspaces',
  storageClass: null,
  cpu: { request: '500m', limit: '2' },
  memory: { request: '1Gi', limit: '2Gi' },
  disk: '10Gi',
  mountPath: '/workspace',
  // Checkpoints are git objects: compressed, and each stores only what changed since the last, so
  // the store stays well under the workspace's own size unless the agent churns large binaries.
  snapshotDisk: '5Gi',
  snapshotPath: GIT_DIR_MOUNT,
};
