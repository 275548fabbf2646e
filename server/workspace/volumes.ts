// Where each workspace's files, passwd/group and checkpoints live under the storage root, and
// the disk image that bounds them (see the layout in local-provider.ts). Only the server, as
// root, creates, mounts and removes these; sandboxes see `files` at /workspace and, during a
// checkpoint, `checkpoints.git`.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { createImage, isMountPoint, mountImage, mountSource, unmount, untilImageClosed } from './disk-image.ts';
import type { MountNamespace, MountNamespaces } from './mount-namespaces.ts';

export const DEFAULT_DISK_QUOTA_BYTES = 10 * 1024 ** 3;
/** ext4's own structures need a few MiB; below this an image holds next to nothing. */
export const MIN_WORKSPACE_DISK_BYTES = 16 * 1024 ** 2;

export interface WorkspacePaths {
  /** The directory holding the rest; the image's mount point. */
  volume: string;
  files: string;
  etc: string;
  checkpoints: string;
  /** The disk image, when this workspace has one. */
  image: string | null;
}

/** An empty image made ahead for the next workspace (disk-images/.spare-<uuid>.ext4). */
const SPARE_PREFIX = '.spare-';

export class VolumeExistsError extends Error {
  override name = 'VolumeExistsError';
}

export class Volumes {
  private readonly volumesDir: string;
  private readonly imagesDir: string;
  /**
   * The image the next workspace takes, made while nobody waits for it: mke2fs reads the status
   * of every loop device mounted where it runs first, so making one at creation grew with the
   * number of workspaces (12 ms with 10, 24 ms with 500; it runs in the keeper namespace now,
   * where none is mounted). Null: none under way (the quota is off, or no
   * workspace has been created yet).
   */
  private spare: Promise<string | null> | null = null;

  /**
   * `quotaBytes` null: no image (quota off, or this host cannot loop-mount). `namespaces`: each
   * mounted image is also mounted in its workspace's own mount namespace (mount-namespaces.ts).
   */
  private constructor(readonly root: string, private readonly quotaBytes: number | null, private readonly namespaces: MountNamespaces | null) {
    this.volumesDir = path.join(root, 'volumes');
    this.imagesDir = path.join(root, 'disk-images');
  }

  static async open(root: string, quotaBytes: number | null, namespaces: MountNamespaces | null = null): Promise<Volumes> {
    const v = new Volumes(root, quotaBytes, quotaBytes === null ? null : namespaces);
    await fs.mkdir(root, { recursive: true });
    await fs.chmod(root, 0o711);
    await fs.mkdir(v.volumesDir, { recursive: true });
    await fs.chmod(v.volumesDir, 0o711);
    await fs.mkdir(v.imagesDir, { recursive: true });
    await fs.chmod(v.imagesDir, 0o700);
    // A spare left by an earlier server process may be half made, or of another size.
    for (const name of await fs.readdir(v.imagesDir)) {
      if (name.startsWith(SPARE_PREFIX)) await fs.rm(path.join(v.imagesDir, name), { force: true });
    }
    return v;
  }

  private paths(id: string): WorkspacePaths {
    const volume = path.join(this.volumesDir, id);
    return {
      volume, files: path.join(volume, 'files'), etc: path.join(volume, 'etc'),
      checkpoints: path.join(volume, 'checkpoints.git'), image: path.join(this.imagesDir, `${id}.ext4`),
    };
  }

  /** The places of a workspace made before volumes/ existed: files directly in workspaces/<id>. */
  private legacyPaths(id: string): WorkspacePaths {
    const files = path.join(this.root, 'workspaces', id);
    return {
      volume: files, files, etc: path.join(this.root, 'sandbox-etc', id),
      checkpoints: path.join(this.root, 'snapshots', `${id}.git`), image: null,
    };
  }

  async ids(): Promise<string[]> {
    const [current, legacy] = await Promise.all([this.volumesDir, path.join(this.root, 'workspaces')].map((d) => fs.readdir(d).catch(() => [])));
    return [...new Set([...current!, ...legacy!])];
  }

  /** A new, empty workspace: its image made and mounted, `files` owned by `uid` (null: unconfined). */
  async create(id: string, uid: number | null): Promise<WorkspacePaths> {
    const p = this.paths(id);
    if ((await fs.stat(this.legacyPaths(id).files).catch(() => null)) !== null) throw new VolumeExistsError(`Workspace ${id} already exists`);
    // An existing workspace is refused before anything is made, so cleanup never deletes it.
    await fs.mkdir(p.volume, { mode: 0o711 }).catch((e: NodeJS.ErrnoException) => {
      throw e.code === 'EEXIST' ? new VolumeExistsError(`Workspace ${id} already exists`) : e;
    });
    if (this.quotaBytes !== null) {
      await this.makeImage(p.image!, this.quotaBytes);
      await this.mount(id, p.image!, p.volume);
      await fs.chmod(p.volume, 0o711);
      // mkfs's lost+found would only show up in listings; fsck makes one again if it needs it.
      await fs.rmdir(path.join(p.volume, 'lost+found')).catch(() => {});
    }
    await fs.mkdir(p.files, { mode: 0o700 });
    if (uid !== null) await fs.chown(p.files, uid, uid);
    return { ...p, image: this.quotaBytes !== null ? p.image : null };
  }

  /** Puts an empty image at `image`: the spare when one is ready, else a new one; then makes the next spare. */
  private async makeImage(image: string, bytes: number): Promise<void> {
    const pending = this.spare;
    this.spare = null;
    const spare = pending ? await pending : null;
    const via = this.namespaces?.inKeeper() ?? [];
    if (!spare || !(await fs.rename(spare, image).then(() => true, () => false))) await createImage(image, bytes, via);
    if (this.spare) return; // another creation, meanwhile, started the next spare
    const next = path.join(this.imagesDir, `${SPARE_PREFIX}${randomUUID()}.ext4`);
    // A spare that cannot be made is no error: the next workspace makes its own, and says why if it cannot.
    this.spare = createImage(next, bytes, via).then(() => next, () => fs.rm(next, { force: true }).then(() => null, () => null));
  }

  /** Server shutdown: the spare image is deleted, so a stopped server's data dir holds only workspaces. */
  async dropSpare(): Promise<void> {
    const pending = this.spare;
    this.spare = null;
    const spare = pending ? await pending : null;
    if (spare) await fs.rm(spare, { force: true });
  }

  /** An existing workspace, its image mounted again (after a restart), or null. */
  async attach(id: string): Promise<WorkspacePaths | null> {
    const p = this.paths(id);
    const image = await fs.stat(p.image!).then(() => p.image, () => null);
    if (image) {
      // Not at create: a new image has never been attached, and the scan reads every loop device.
      if (!(await isMountPoint(p.volume))) await untilImageClosed(image);
      await this.mount(id, image, p.volume);
    }
    if ((await fs.stat(p.files).catch(() => null))?.isDirectory()) return { ...p, image };
    const legacy = this.legacyPaths(id);
    return (await fs.stat(legacy.files).catch(() => null))?.isDirectory() ? legacy : null;
  }

  /**
   * Mounts the image, and in the workspace's namespace the same device. A namespace made with an
   * earlier mount of the image is let go (detach lets it go first; this is the guard): it would hold
   * the old loop device, and two loop devices on one image are two filesystems writing the same blocks.
   */
  private async mount(id: string, image: string, volume: string): Promise<void> {
    const mounted = await mountImage(image, volume);
    if (!this.namespaces) return;
    if (mounted) await this.namespaces.remove(id);
    const device = mounted ?? await mountSource(volume);
    if (device) this.namespaces.ensure(id, device, volume);
  }

  /** Where the workspace's sandboxes start: its own mount namespace, or null for the host's. */
  namespace(id: string): Promise<MountNamespace | null> {
    return this.namespaces?.of(id) ?? Promise.resolve(null);
  }

  /** Unmounts the workspace's image (its processes must be gone); files stay in the image. */
  async detach(id: string): Promise<void> {
    const p = this.paths(id);
    await this.namespaces?.remove(id);
    if (await isMountPoint(p.volume)) await unmount(p.volume);
  }

  /** Deletes everything of the workspace, whichever layout it has. */
  async remove(id: string): Promise<void> {
    await this.detach(id);
    const p = this.paths(id);
    const legacy = this.legacyPaths(id);
    await Promise.all([p.volume, p.image!, legacy.files, legacy.etc, legacy.checkpoints].map((d) => fs.rm(d, { recursive: true, force: true })));
  }
}
