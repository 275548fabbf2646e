#!/usr/bin/env bash
# One sandbox start (setpriv + bwrap, `true`): with a bind per /etc file (Tether until 2026-11-26),
# with the binds Tether uses (one /etc directory, passwd and group over it), and without --dev too;
# first with the machine's own mounts, then with N more loop-mounted ext4 images (standing for
# workspaces' disks). bubblewrap reads /proc/self/mountinfo once per bind. `joined` is Tether's
# binds after an `sh` has joined a fresh cgroup beside this shell's own, as a workspace's sandbox does.
#   bash bench/sandbox-binds.sh [N=500]      (as root; everything it mounts it unmounts)
set -euo pipefail
N=${1:-500}
D=$(mktemp -d /tmp/tether-bench-binds.XXXXXX)
own() { awk -F: -v c="$1" '$2 == c { print $3 }' /proc/self/cgroup; }
if [ -d /sys/fs/cgroup/pids ]; then CG=/sys/fs/cgroup/pids$(own pids)/tether-bench-$$
elif [ -d /sys/fs/cgroup/unified ]; then CG=/sys/fs/cgroup/unified$(own "")/tether-bench-$$
else CG=/sys/fs/cgroup$(own "")/tether-bench-$$; fi
cleanup() {
  rmdir "$CG" 2>/dev/null || true
  for m in $(awk '{print $5}' /proc/self/mountinfo | grep "^$D/" | sort -r); do umount -l "$m"; done
  rm -rf "$D"
}
trap cleanup EXIT
mkdir -p "$D/w" "$D/imgs" "$CG" && chmod 777 "$D/w" && chmod 711 "$D"

ms() { local a b; a=$(date +%s%N); "$@" >/dev/null 2>&1; b=$(date +%s%N); echo $(( (b - a) / 1000 )); }
median() { sort -n | awk '{a[NR]=$1} END {printf "%.1f ms\n", a[int((NR+1)/2)]/1000}'; }
common=(--unshare-all --die-with-parent --new-session --unshare-user --uid 65534 --gid 65534 --disable-userns
  --ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib --symlink usr/lib64 /lib64 --symlink usr/sbin /sbin)
etc_files=(--ro-bind-try /etc/alternatives /etc/alternatives --ro-bind-try /etc/ld.so.cache /etc/ld.so.cache
  --ro-bind-try /etc/ssl /etc/ssl --ro-bind-try /etc/ca-certificates /etc/ca-certificates --ro-bind-try /etc/localtime /etc/localtime
  --ro-bind /etc/passwd /etc/passwd --ro-bind /etc/group /etc/group)
sandbox() { setpriv --reuid 65534 --regid 65534 --clear-groups -- bwrap "${common[@]}" "$@" --tmpfs /tmp --bind "$D/w" /workspace --remount-ro / -- /bin/true; }
one_etc=(--ro-bind /etc /etc --ro-bind /etc/passwd /etc/passwd --ro-bind /etc/group /etc/group)
per_file() { sandbox "${etc_files[@]}" --proc /proc --dev /dev; }
as_tether() { sandbox "${one_etc[@]}" --proc /proc --dev /dev; }
no_dev() { sandbox "${one_etc[@]}" --proc /proc; }
joined() {
  sh -c 'echo $$ > "$0" && exec "$@"' "$CG/cgroup.procs" setpriv --reuid 65534 --regid 65534 --clear-groups -- \
    bwrap "${common[@]}" "${one_etc[@]}" --proc /proc --dev /dev --tmpfs /tmp --bind "$D/w" /workspace --remount-ro / -- /bin/true
}
measure() {
  echo "$(wc -l </proc/self/mountinfo) mounts:"
  for v in per_file as_tether no_dev joined; do printf '  %-10s ' "$v"; for _ in $(seq 30); do ms "$v"; done | median; done
}
measure
for i in $(seq "$N"); do
  truncate -s 16M "$D/imgs/$i.img" && mkfs.ext4 -q -F "$D/imgs/$i.img" && mkdir "$D/$i"
  dev=$(losetup --find --show "$D/imgs/$i.img"); mount -t ext4 "$dev" "$D/$i"; losetup --detach "$dev"
done
measure
