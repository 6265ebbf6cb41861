#!/bin/bash
# What a file create costs after a mass delete on ext4 without a journal (bench/README.md, "Fair
# rounds"): `cp -r` of 2,000 x 1 KiB, settled, right after `rm -rf` of 2,000 files in the same
# folder, 6 s after `rm -rf` + `sync -f`, and 65 s after (past RECENTCY_MIN, 60 s). With PERF=1,
# each `cp -r` runs under `perf record -g` and the share of its samples in ext4's recently_deleted()
# path is printed. About 2.5 minutes.
#
#   bench/move/create-tax.sh [ROOT (default /var/tmp)]   # PERF=1 bench/move/create-tax.sh /tmp
set -euo pipefail
root=${1:-/var/tmp}
work=$(mktemp -d "$root/create-tax-XXXXXX")
trap 'cd /; rm -rf "$work"; sync -f "$root"' EXIT
cd "$work"
mkdir src
for i in $(seq 0 1999); do head -c 1024 /dev/urandom >"src/f$i"; done
echo "$(findmnt -n -o FSTYPE,OPTIONS -T "$root") ($root); $(uname -r); load $(cut -d' ' -f1-3 /proc/loadavg)"

copy() { # label, destination
  local usage="$work/.usage" share=''
  if [ "${PERF:-0}" = 1 ]; then
    perf record -q -g -o "$work/.perf" /usr/bin/time -o "$usage" -f '%e s wall, %S s sys' cp -r src "$2" 2>/dev/null
    share=$(perf report -i "$work/.perf" --no-children --stdio -g none --sort sym 2>/dev/null |
      awk '/recently_deleted|find_get_block_common|ext4_get_group_desc|find_inode_bit/ { s += $1 } END { printf "; recently_deleted path %.0f%%", s }')
  else
    /usr/bin/time -o "$usage" -f '%e s wall, %S s sys' cp -r src "$2"
  fi
  echo "$1: $(cat "$usage")$share"
}
victim() { cp -r src "$1"; sync -f .; sleep 6; rm -rf "$1"; }

sync -f .
sleep 6
copy 'settled' settled
victim v1
copy 'right after rm -rf of 2,000' after-rm
victim v2
sync -f .
sleep 6
copy 'rm -rf, sync -f, 6 s' after-6s
victim v3
sync -f .
sleep 65
copy 'rm -rf, sync -f, 65 s' after-65s
