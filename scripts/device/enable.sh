#!/bin/bash
# Links the service into /service (svscan starts it within 5 s) and keeps one line in
# /data/rc.local that runs this script again at boot, because a firmware update empties /service.
#
#   bash enable.sh [--root DIR]     (--root: a fake Venus root, for tests)
set -euo pipefail
name=dbus-aggregate-batteries
folder=$(cd "$(dirname "$0")" && pwd -P)
root=""
if [ "${1:-}" = --root ]; then root=$(cd "$2" && pwd -P); fi
device_folder=${folder#"$root"}

line="bash $device_folder/enable.sh > $device_folder/startup.log 2>&1 &"
[ -n "$root" ] && line="bash $folder/enable.sh --root $root > $folder/startup.log 2>&1 &"
rc_local=$root/data/rc.local
if [ ! -f "$rc_local" ]; then
  printf '#!/bin/bash\n' > "$rc_local"
  chmod 755 "$rc_local"
fi
if ! grep -qxF "$line" "$rc_local"; then
  # Lines of older versions and of the Python program (same name) go; ours is added once.
  sed -i "\\#$name#d" "$rc_local"
  echo "$line" >> "$rc_local"
fi

mkdir -p "$root/var/log/$name"
link=$root/service/$name
if [ "$(readlink "$link" 2>/dev/null || true)" != "$folder/service" ]; then
  rm -f "$link"
  ln -s "$folder/service" "$link"
fi
echo "enable.sh: $link -> $folder/service"
