#!/usr/bin/env bash
# Builds the Debian package of maildir-fanout from a built source tree, offline:
#
#   npm ci && npm run build              # makes dist/maildir-fanout.js (needs node_modules)
#   packaging/build-deb.sh OUTDIR        # writes OUTDIR/maildir-fanout_<version>_all.deb
#
# It never builds the JavaScript itself: `npm run build` empties build/ and dist/ first, which
# would pull the tree from under a test run, and needs the dev dependencies. It packages what
# dist/ holds, so run `npm run build` after every change to src/.
#
# Plain dpkg-deb, no debhelper and no fakeroot: `--root-owner-group` makes every file root's,
# modes are set here, and the package has no maintainer scripts (nothing to start, no active
# cron job: the cron.d and systemd files are examples under /usr/share/doc). The build is
# reproducible (https://reproducible-builds.org/docs/source-date-epoch/): every time stamp is
# SOURCE_DATE_EPOCH (from the environment, else the time of the last git commit, else the fixed
# date below), file lists are sorted, and nothing records the build machine.
# Layout, lintian and the version rule: packaging/README.md, "Building the Debian package".
set -euo pipefail
export LC_ALL=C TZ=UTC
umask 022

die() {
  echo "build-deb.sh: $*" >&2
  exit 1
}

if [ $# -ne 1 ] || [ -z "$1" ]; then die "usage: packaging/build-deb.sh OUTDIR"; fi
for tool in dpkg-deb gzip md5sum node; do
  command -v "$tool" >/dev/null || die "$tool not found (Debian package: dpkg, gzip, coreutils, nodejs)"
done

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
here=$repo/packaging
for file in start.js maildir-fanout.js maildir-fanout.js.cache; do
  [ -f "$repo/dist/$file" ] || die "$repo/dist/$file is missing: run \`npm run build\` first"
done
mkdir -p -- "$1"
outdir=$(cd -- "$1" && pwd -P)

# The version is package.json's. A semver pre-release (1.2.0-rc.1) becomes 1.2.0~rc.1: in a
# Debian version "-" would start the Debian revision, and "~" sorts before the release, as
# semver wants (deb-version(7)).
upstream_version=$(node -p 'require(process.argv[1]).version' "$repo/package.json")
version=${upstream_version/-/\~}
[[ $version =~ ^[0-9][A-Za-z0-9.+~]*$ ]] || die "package.json version $upstream_version is not a Debian version"

if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
  # safe.directory: git refuses a checkout that another user owns ("dubious ownership"); this
  # script runs code from the checkout anyway, so trusting its git config adds no risk.
  SOURCE_DATE_EPOCH=$(git -c safe.directory="$repo" -C "$repo" log -1 --format=%ct 2>/dev/null || true)
  if [ -z "$SOURCE_DATE_EPOCH" ]; then
    SOURCE_DATE_EPOCH=1767225600 # 2026-01-01T00:00:00Z, outside a git checkout (a source tarball)
    echo "build-deb.sh: no git commit to date the files by: SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH" >&2
  fi
fi
[[ $SOURCE_DATE_EPOCH =~ ^[0-9]+$ ]] || die "SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH is not a number of seconds"
export SOURCE_DATE_EPOCH # dpkg-deb stamps the ar members and clamps tar mtimes with it

# The bundle holds the code of other npm packages; each must have its license in
# debian/copyright. Their names head the notices in dist/maildir-fanout.js.LEGAL.txt, one
# "name version (license)" line each (scripts/bundle.mjs).
legal=$repo/dist/maildir-fanout.js.LEGAL.txt
[ -f "$legal" ] || die "$legal is missing: run \`npm run build\` first"
while read -r name _; do
  grep -Eq "^Files: (.* )?node_modules/(.*/)?$name/\\*( |\$)" "$here/debian/copyright" ||
    die "the bundle contains the npm package $name, which packaging/debian/copyright does not list"
done < <(grep -E '^[@a-z0-9][^ ]* [0-9][^ ]* \(.*\)$' "$legal")

stage=$(mktemp -d "${TMPDIR:-/tmp}/maildir-fanout-deb.XXXXXX")
trap 'rm -rf -- "$stage"' EXIT
root=$stage/maildir-fanout
share=$root/usr/share/maildir-fanout
doc=$root/usr/share/doc/maildir-fanout

install -d "$root/DEBIAN" "$root/usr/bin" "$share/bin" "$share/dist" "$root/usr/share/man/man1" \
  "$doc/examples/cron.d" "$doc/examples/systemd"

# The launcher finds its bundle at ../dist/ of its own resolved path, so /usr/bin holds only a
# relative link (Debian policy 10.5: relative within one top-level directory).
install -m 0755 "$repo/bin/maildir-fanout" "$share/bin/maildir-fanout"
for file in start.js maildir-fanout.js maildir-fanout.js.cache; do
  install -m 0644 "$repo/dist/$file" "$share/dist/$file"
done
ln -s ../share/maildir-fanout/bin/maildir-fanout "$root/usr/bin/maildir-fanout"
install -m 0644 "$repo/schema/targets.schema.json" "$share/targets.schema.json"

# gzip -n: no file name or time stamp in the header.
gzip -9n <"$repo/man/maildir-fanout.1" >"$root/usr/share/man/man1/maildir-fanout.1.gz"

maintainer=$(sed -n 's/^Maintainer: //p' "$here/debian/control.in")
install -m 0644 "$here/debian/copyright" "$doc/copyright"
# A native package (its version has no Debian revision) has one changelog, changelog.gz
# (Debian policy 12.7; lintian: wrong-name-for-changelog-of-native-package).
sed -e "s|@VERSION@|$version|g" -e "s|@UPSTREAM_VERSION@|$upstream_version|g" \
  -e "s|@MAINTAINER@|$maintainer|g" -e "s|@DATE@|$(date -R -d "@$SOURCE_DATE_EPOCH")|g" \
  "$here/debian/changelog.in" | gzip -9n >"$doc/changelog.gz"
gzip -9n <"$repo/README.md" >"$doc/README.md.gz"

# The examples. packaging/README.md explains the cron and systemd files; what follows its own
# heading "Building the Debian package" is about this script, not about them. The .forward and
# .qmail lines, active or commented out ("#|…"), name the program where a source install puts
# it; here it is in /usr/bin. Prose comments ("# …") keep mentioning both.
install -m 0644 "$here/debian/targets.json" "$doc/examples/targets.json"
awk '/^## Building the Debian package$/ { exit } /^$/ { blank++; next } { for (; blank > 0; blank--) print ""; print }' \
  "$here/README.md" >"$doc/examples/README.md"
for file in dot-forward dot-qmail; do
  sed '/^#\( \|$\)/!s|/usr/local/bin/maildir-fanout|/usr/bin/maildir-fanout|g' "$repo/examples/$file" \
    >"$doc/examples/$file"
done
install -m 0644 "$here/cron.d/maildir-fanout" "$doc/examples/cron.d/maildir-fanout"
install -m 0644 "$here/systemd/maildir-fanout-check.service" "$here/systemd/maildir-fanout-check.timer" \
  "$doc/examples/systemd/"

# Modes and times do not depend on the umask, the checkout or the clock.
find "$root" -type d -exec chmod 0755 {} +
find "$root" -type f ! -path "$share/bin/maildir-fanout" -exec chmod 0644 {} +

# Installed-Size in KiB, as dpkg-gencontrol counts it: each file rounded up to a KiB, 1 KiB for
# each directory and symbolic link.
installed_size=$(find "$root" -mindepth 1 ! -path "$root/DEBIAN*" -printf '%y %s\n' |
  awk '{ total += ($1 == "f") ? int(($2 + 1023) / 1024) : 1 } END { print total }')
sed -e "s|@VERSION@|$version|g" -e "s|@INSTALLED_SIZE@|$installed_size|g" \
  "$here/debian/control.in" >"$root/DEBIAN/control"
(cd "$root" && find usr -type f -print0 | sort -z | xargs -0 md5sum) >"$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums"
find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

deb=$outdir/maildir-fanout_${version}_all.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
