#!/usr/bin/env bash
# The quickstart (`npm run example`): deliver examples/commit-mail.eml into the three maildirs of
# examples/targets.json, which it creates under ./demo/, then show what landed where. Run it
# twice: the second run finds the message in the journal (demo/state/) and adds no copy.
set -euo pipefail
cd "$(dirname "$0")/.."

# The config decides where mail is written, so maildir-fanout refuses one that others could
# write (as qmail and Postfix do for .qmail and .forward). A checkout made under umask 002 is
# group-writable: tighten it.
chmod go-w examples examples/targets.json

# maildir-fanout refuses to run as root (mail should be delivered as its recipient). In a
# throw-away container you may be root: the demo passes --allow-root then, and says so.
extra=()
if [ "$(id -u)" = 0 ]; then
  echo "(running as root: passing --allow-root for this demo)"
  extra=(--allow-root)
fi

status=0
bin/maildir-fanout "${extra[@]}" --config examples/targets.json < examples/commit-mail.eml || status=$?
echo "maildir-fanout exited with status $status (0 = delivered to every target, 75 = try again later)"
echo
echo "Delivered files:"
find demo -path '*/new/*' -type f -printf '  %p  (%s bytes, mode %m, inode %i, links %n)\n' | sort
exit "$status"
