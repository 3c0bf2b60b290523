#!/bin/bash
# Removes dbus-aggregate-batteries from this device, as root:
#
#   bash uninstall.sh              stop and remove it; where install.sh replaced the Python
#                                  program, put the Python program back, with the config.ini and
#                                  stored charge and balancing date as this daemon left them
#   bash uninstall.sh --purge      also delete config.ini, the stored values and the log
#                                  (never when the Python program is put back: they are its own)
#   bash uninstall.sh --root DIR   the same inside DIR, a fake Venus root (for tests)
set -euo pipefail

name=dbus-aggregate-batteries
folder=$(cd "$(dirname "$0")" && pwd -P)
root=""
purge=0
usage() {
  echo "usage: bash uninstall.sh [--purge] [--root DIR]"
}
while [ $# -gt 0 ]; do
  case "$1" in
    --root) [ $# -ge 2 ] || { usage >&2; exit 2; }; root=$(cd "$2" && pwd -P); shift 2 ;;
    --purge) purge=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "uninstall.sh: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
done
say() { echo "uninstall.sh: $*"; }
if [ -z "$root" ] && [ "$(id -u)" -ne 0 ]; then
  echo "uninstall.sh: run it as root (on the GX device: ssh root@<address>)" >&2
  exit 1
fi

[ -f "$folder/package.info" ] && grep -q "^PACKAGE_NAME=$name\$" "$folder/package.info" \
  || { echo "uninstall.sh: $folder is not an installation of $name" >&2; exit 1; }
. "$folder/service-control.sh"
device_folder=${folder#"$root"}
parent=$(dirname "$folder")
service_link=$root/service/$name
rc_local=$root/data/rc.local

# --- stop ours --------------------------------------------------------------------------------------
if [ "$(readlink -f "$service_link" 2>/dev/null || true)" = "$folder/service" ]; then
  rm -f "$service_link"
fi
stop_supervised "$folder/service"
if [ -f "$rc_local" ]; then
  sed -i "\\#$device_folder/enable.sh#d" "$rc_local"
fi
rm -rf "$parent/.$name.previous" "$parent/.$name.new"
say "stopped and disabled $name in $device_folder"

# --- the Python program back, where install.sh replaced it ----------------------------------------
python_folder=""
python_backup=""
if [ -f "$folder/migration/python.info" ]; then
  python_folder=$(sed -n 's/^PYTHON_FOLDER=//p' "$folder/migration/python.info")
  python_backup=$(sed -n 's/^PYTHON_BACKUP=//p' "$folder/migration/python.info")
  if [ ! -d "$root$python_backup" ]; then
    say "the Python program's copy $python_backup is gone: removing $name only"
    python_folder=""
  elif [ -e "$root$python_folder" ] && [ "$python_folder" != "$device_folder" ]; then
    say "$python_folder exists already: the Python program stays in $python_backup"
    python_folder=""
  fi
fi

if [ -n "$python_folder" ]; then
  # This daemon's state files are the newer ones, in the Python program's own format.
  restored=()
  for file in config.ini storedvalue_charge storedvalue_last_balancing; do
    if [ -f "$folder/$file" ]; then cp -p "$folder/$file" "$root$python_backup/$file"; restored+=("$file"); fi
  done
  # Keys set here that the Python program does not know would stop it at start (it refuses
  # unknown keys): they stay in its config.ini, commented out, and are listed.
  python_defaults=$root$python_backup/config.default.ini
  unknown=""
  if [ -f "$root$python_backup/config.ini" ] && [ -f "$python_defaults" ] && grep -Eq '^[[:space:]]*[A-Za-z0-9_]+[[:space:]]*[=:]' "$python_defaults"; then
    unknown=$(awk -v defaults="$python_defaults" '
      BEGIN { while ((getline line < defaults) > 0) if (match(line, /^[ \t]*[A-Za-z0-9_]+[ \t]*[=:]/)) {
                key = line; sub(/^[ \t]*/, "", key); sub(/[ \t]*[=:].*/, "", key); known[tolower(key)] = 1 } }
      match($0, /^[ \t]*[A-Za-z0-9_]+[ \t]*[=:]/) {
        key = $0; sub(/^[ \t]*/, "", key); sub(/[ \t]*[=:].*/, "", key)
        if (!(tolower(key) in known)) print key }' "$root$python_backup/config.ini" | tr '\n' ' ')
    if [ -n "$unknown" ]; then
      for key in $unknown; do
        sed -i -E "s/^([[:space:]]*$key[[:space:]]*[=:].*)\$/; \1   ; not a key of the Python program (uninstall.sh)/" "$root$python_backup/config.ini"
      done
    fi
  fi
  lines=""
  [ -f "$folder/migration/rc.local.lines" ] && lines=$(cat "$folder/migration/rc.local.lines")
  removed=$parent/.$name.removed
  rm -rf "$removed"
  mv "$folder" "$removed"
  mv "$root$python_backup" "$root$python_folder"
  rm -rf "$removed"
  # Its boot lines as they were, and its service linked as its own enable script links it.
  if [ -n "$lines" ]; then
    [ -f "$rc_local" ] || { printf '#!/bin/bash\n' > "$rc_local"; chmod 755 "$rc_local"; }
    while IFS= read -r line; do
      grep -qxF "$line" "$rc_local" || echo "$line" >> "$rc_local"
    done <<< "$lines"
  fi
  if [ -d "$root$python_folder/service" ]; then
    rm -f "$service_link"
    ln -s "$root$python_folder/service" "$service_link"
  fi
  say "the Python program is back in $python_folder with ${restored[*]:-its own files} as $name left them; it starts within 5 s"
  if [ -n "$unknown" ]; then
    say "commented out in its config.ini, keys the Python program does not know: $unknown"
  fi
  exit 0
fi

# --- ours only ----------------------------------------------------------------------------------------
if [ $purge -eq 1 ]; then
  rm -rf "$folder" "$root/var/log/$name"
  say "deleted $device_folder and /var/log/$name"
else
  find "$folder" -mindepth 1 -maxdepth 1 ! -name config.ini ! -name 'storedvalue_*' -exec rm -rf {} +
  say "removed; kept in $device_folder: $(ls "$folder" | tr '\n' ' ')(bash uninstall.sh --purge deletes them)"
fi
