#!/bin/bash
# Installs dbus-aggregate-batteries on a Venus OS device from this unpacked package, as root:
#
#   bash install.sh              install, or upgrade, and start the service
#   bash install.sh --root DIR   the same inside DIR, a fake Venus root (for tests)
#
# Where: /data/apps/dbus-aggregate-batteries (/data/dbus-aggregate-batteries on firmware without
# /data/apps). An installation of the Python program found in either place is migrated: its
# config.ini and storedvalue_* files are kept, its service is stopped before ours starts, and
# its folder is kept whole beside ours, so that uninstall.sh can put it back.
# Nothing is changed before every check has passed.
set -euo pipefail

name=dbus-aggregate-batteries
package=$(cd "$(dirname "$0")" && pwd -P)
root=""

usage() {
  echo "usage: bash install.sh [--root DIR]"
}
while [ $# -gt 0 ]; do
  case "$1" in
    --root) [ $# -ge 2 ] || { usage >&2; exit 2; }; root=${2%/}; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install.sh: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
done
if [ -n "$root" ]; then
  [ -d "$root" ] || { echo "install.sh: --root $root is not a folder" >&2; exit 2; }
  root=$(cd "$root" && pwd -P)
fi

say() { echo "install.sh: $*"; }
fail() { echo "install.sh: $*" >&2; echo "install.sh: nothing was changed" >&2; exit 1; }
if [ -z "$root" ] && [ "$(id -u)" -ne 0 ]; then
  echo "install.sh: run it as root (on the GX device: ssh root@<address>)" >&2
  exit 1
fi

# shellcheck source=/dev/null
. "$package/package.info"   # PACKAGE_NAME, PACKAGE_VERSION, PACKAGE_ARCH
. "$package/service-control.sh"

# --- the device ---------------------------------------------------------------------------------
# The C library's dynamic loader names the userland's architecture (a 64-bit kernel may run a
# 32-bit userland, so `uname -m` alone would mislead).
case "$PACKAGE_ARCH" in
  armv7)   loader=/lib/ld-linux-armhf.so.3;      device="32-bit ARM hard-float (armv7)" ;;
  aarch64) loader=/lib/ld-linux-aarch64.so.1;    device="64-bit ARM (aarch64)" ;;
  x86_64)  loader=/lib64/ld-linux-x86-64.so.2;   device="x86-64" ;;
  *) fail "package.info names an unknown architecture: $PACKAGE_ARCH" ;;
esac
if [ ! -e "$root$loader" ]; then
  found=$(ls "$root"/lib/ld-linux*.so* "$root"/lib64/ld-linux*.so* 2>/dev/null | sed "s#^$root##" | tr '\n' ' ' || true)
  fail "this package is for $device with glibc ($loader), this system has ${found:-no glibc loader} (uname -m: $(uname -m)); download the package for this device"
fi
# The daemon needs glibc 2.31 or later (Venus OS 3.5x and later): running it is the one sure test.
if version=$("$package/$name" --version 2>&1); then
  say "package $PACKAGE_VERSION for $device; the daemon runs here ($version)"
elif [ -z "$root" ]; then
  fail "the daemon does not run on this system: $version (it needs glibc 2.31 or later, Venus OS 3.5x or later)"
else
  say "the daemon cannot run on this build machine (fake root $root): C library check skipped"
fi

# --- where ----------------------------------------------------------------------------------------
if [ -d "$root/data/apps" ]; then
  folder=/data/apps/$name
else
  folder=/data/$name
fi
parent=$(dirname "$folder")
service_link=$root/service/$name
rc_local=$root/data/rc.local
[ -d "$root/data" ] || fail "$root/data does not exist: is this Venus OS?"

# What is installed now: ours, the Python program (v4: config.ini; older: settings.py), or nothing.
kind_of() {  # folder (with root)
  if [ -f "$1/package.info" ] && grep -q "^PACKAGE_NAME=$name\$" "$1/package.info"; then
    echo ours
  elif [ -f "$1/dbus-aggregate-batteries.py" ] || [ -f "$1/aggregatebatteries.py" ]; then
    echo python
  elif [ -d "$1" ] && [ -z "$(ls -A "$1" | grep -Ev '^(config\.ini|storedvalue_.*|startup\.log)$' || true)" ]; then
    echo leftover   # what uninstall.sh keeps: the user's config and stored values
  elif [ -e "$1" ]; then
    echo unknown
  else
    echo none
  fi
}
current=$(kind_of "$root$folder")
python_folder=""
for candidate in /data/apps/$name /data/$name; do
  [ "$(kind_of "$root$candidate")" = python ] && { python_folder=$candidate; break; }
done
[ "$current" = unknown ] && fail "$folder exists but holds neither this program nor the Python program; move it away first"
if [ "$current" = ours ] && [ -n "$python_folder" ]; then
  # Ours is installed and a Python program sits in the other place: not ours to migrate again.
  say "a Python installation in $python_folder is left as it is (ours is already installed in $folder)"
  python_folder=""
fi
if [ -n "$python_folder" ] && [ ! -f "$root$python_folder/config.ini" ]; then
  if [ -f "$root$python_folder/settings.py" ]; then
    fail "the Python program in $python_folder is configured in settings.py (before v4), which this daemon does not read. Write the keys you changed into $python_folder/config.ini ([DEFAULT] section, names as in config.default.ini), then run install.sh again"
  fi
  say "the Python program in $python_folder has no config.ini: the defaults of config.default.ini apply"
fi

# --- stage the new folder and check the user's config with it, before touching anything --------
stage=$root$parent/.$name.new
rm -rf "$stage"
mkdir -p "$root$parent"
mkdir -p "$stage"
cp -R "$package"/. "$stage"/
rm -rf "$stage/migration"
source_folder=""
if [ "$current" = ours ] || [ "$current" = leftover ]; then source_folder=$folder; elif [ -n "$python_folder" ]; then source_folder=$python_folder; fi
kept=()
if [ -n "$source_folder" ]; then
  for file in config.ini storedvalue_charge storedvalue_last_balancing; do
    if [ -f "$root$source_folder/$file" ]; then cp -p "$root$source_folder/$file" "$stage/$file"; kept+=("$file"); fi
  done
fi
if [ -n "$python_folder" ]; then
  # Older Python versions named the state files charge and last_balancing.
  for pair in charge:storedvalue_charge last_balancing:storedvalue_last_balancing; do
    old=${pair%%:*}; new=${pair#*:}
    if [ ! -f "$stage/$new" ] && [ -f "$root$python_folder/$old" ]; then
      cp -p "$root$python_folder/$old" "$stage/$new"; kept+=("$old as $new")
    fi
  done
fi
if [ "$current" = ours ]; then
  # Strategies the user added to plugins/, and what a migration recorded, stay.
  for library in "$root$folder"/plugins/lib*.so; do
    [ -e "$library" ] || continue
    [ -e "$stage/plugins/$(basename "$library")" ] || { cp -P "$library" "$stage/plugins/"; kept+=("plugins/$(basename "$library")"); }
  done
  [ -d "$root$folder/migration" ] && cp -Rp "$root$folder/migration" "$stage/migration"
fi
# The daemon runs as root and loads plugins/ only when root owns it and nobody else can write it.
[ "$(id -u)" -eq 0 ] && chown -R 0:0 "$stage"
chmod -R go-w "$stage"
chmod 755 "$stage" "$stage/plugins" "$stage/$name" "$stage/service/run" "$stage/service/log/run" "$stage"/*.sh
if [ -n "$root" ]; then
  # Inside a fake root the log folder lies inside it too.
  sed -i "s#/var/log/$name#$root/var/log/$name#" "$stage/service/log/run"
fi

if [ ! -f "$stage/config.ini" ]; then
  printf '[DEFAULT]\n; Your changes to config.default.ini, one KEY = value per line. At least:\n; NR_OF_BATTERIES = 2\n; NR_OF_CELLS_PER_BATTERY = 16\n' \
    > "$stage/config.ini"
fi
# The user's config with this version's defaults and plugins, as the service will read it.
check_output=""
check_failed=""
if "$stage/$name" --version >/dev/null 2>&1; then
  if ! check_output=$("$stage/$name" check-config --config "$stage/config.ini" --default-config "$stage/config.default.ini" \
                       --state-dir "$stage" --plugin-dir "$stage/plugins" 2>&1); then
    if [ -n "$source_folder" ]; then
      rm -rf "$stage"
      echo "$check_output" | sed 's/^/  /' >&2
      fail "the config.ini of $source_folder is refused by this version (above); correct it and run install.sh again"
    fi
    check_failed=$check_output
    check_output=""
  fi
fi

# --- stop whatever runs now (never two aggregators at once) --------------------------------------
if [ -L "$service_link" ] || [ -e "$service_link" ]; then
  running_service=$(readlink -f "$service_link" || true)
  rm -f "$service_link"
  [ -n "$running_service" ] && stop_supervised "$running_service"
fi
for candidate in "$root$folder" ${python_folder:+"$root$python_folder"}; do
  [ -d "$candidate/service" ] && stop_supervised "$candidate/service"
done
if [ -z "$root" ]; then
  # A Python program started by hand, outside daemontools.
  pkill -f "python3? .*/$name/(dbus-aggregate-batteries|aggregatebatteries)\.py" 2>/dev/null || true
fi

# --- swap the folders -------------------------------------------------------------------------------
if [ -n "$python_folder" ]; then
  backup=$python_folder.python-backup
  [ -e "$root$backup" ] && mv "$root$backup" "$root$backup.$(date +%Y%m%d%H%M%S)"
  mv "$root$python_folder" "$root$backup"
  mkdir -p "$stage/migration"
  {
    echo "PYTHON_FOLDER=$python_folder"
    echo "PYTHON_BACKUP=$backup"
  } > "$stage/migration/python.info"
  # The Python program's boot lines in rc.local, to give back on uninstall.
  if [ -f "$rc_local" ]; then grep -F "$name" "$rc_local" > "$stage/migration/rc.local.lines" || true; fi
  say "the Python program is kept whole in $backup (uninstall.sh puts it back)"
fi
if [ "$current" = ours ] || [ "$current" = leftover ]; then
  previous=$root$parent/.$name.previous
  rm -rf "$previous"
  mv "$root$folder" "$previous"
fi
mv "$stage" "$root$folder"

# --- boot and start -----------------------------------------------------------------------------------
# A fresh install whose config.ini still lacks what every bank needs is not started: the
# service would only log its refusal every second.
if [ -z "$check_failed" ]; then
  bash "$root$folder/enable.sh" ${root:+--root "$root"}
fi

say "installed $PACKAGE_NAME $PACKAGE_VERSION ($PACKAGE_ARCH) in $folder"
if [ ${#kept[@]} -gt 0 ]; then say "kept from ${source_folder}: ${kept[*]}"; fi
if [ -n "$check_output" ]; then
  # What each key of the user's config.ini does here (keys of the Python program that now mean
  # something else say so).
  roles=$(echo "$check_output" | awk '/; set in /{show=1; print "  " $0; next} /^;   -> /{if (show) print "  " $0; next} {show=0}' \
          | sed "s#$stage#$folder#g")
  if [ -n "$roles" ]; then
    say "your config.ini, key by key, as this daemon reads it:"
    echo "$roles"
  fi
fi
if [ -n "$check_failed" ]; then
  echo "$check_failed" | sed 's/^/  /'
  say "not started yet: set the keys above in $folder/config.ini, then run: bash $folder/enable.sh"
fi
say "config: $folder/config.ini (only your changes; every key is explained in $folder/config.default.ini)"
say "log: tail -F /var/log/$name/current | tai64nlocal"
say "back to before: bash $folder/uninstall.sh"
