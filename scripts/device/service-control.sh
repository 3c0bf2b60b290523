# Sourced by install.sh and uninstall.sh: stopping a daemontools service for good.

# Stops the service in folder $1 and lets its supervise (and its log's) exit, so that nothing
# runs from that folder afterwards. Call it after removing the /service link, or svscan starts
# a new supervise. Waits until the program has exited: never two aggregators at once.
stop_supervised() {
  local dir=$1 waited=0
  command -v svok >/dev/null 2>&1 || return 0
  svok "$dir" 2>/dev/null || return 0
  svc -dx "$dir" 2>/dev/null || true
  while svok "$dir" 2>/dev/null; do
    sleep 0.2
    waited=$((waited + 1))
    if [ $waited -eq 100 ]; then
      echo "${0##*/}: $dir did not stop within 20 s after TERM: killing it" >&2
      svc -k "$dir" 2>/dev/null || true
    fi
    [ $waited -lt 150 ] || { echo "${0##*/}: $dir still runs after 30 s" >&2; return 1; }
  done
  if [ -d "$dir/log" ] && svok "$dir/log" 2>/dev/null; then
    svc -dx "$dir/log" 2>/dev/null || true
  fi
  return 0
}
