#!/bin/sh
# Downloads the cip binary for this runner from a GitHub release, verifies it against the
# release's SHA256SUMS, and installs it. POSIX sh; needs curl and sha256sum or shasum.
#
# Environment:
#   CIP_REPOSITORY         owner/name of the repository whose releases hold the binaries
#   CIP_ACTION_REPOSITORY  fallback for CIP_REPOSITORY: the repository of the action itself
#   CIP_VERSION            release tag (v1.2.3) or "latest"; empty: from CIP_ACTION_REF
#   CIP_ACTION_REF         the action's own ref: a release tag is used as is, anything else
#                          (a major tag like v1, a branch, a commit) means "latest"
#   CIP_TARGET             the binary's target triple; empty: from RUNNER_OS/RUNNER_ARCH or uname
#   CIP_INSTALL_DIR        where cip is installed (created if needed)
#   CIP_DOWNLOAD_BASE      where releases live (default https://github.com)
# Prints the installed path on stdout; appends it to $GITHUB_OUTPUT (path=...) and its
# directory to $GITHUB_PATH when those are set.
set -eu

fail() {
  echo "cip install: $*" >&2
  exit 1
}

# The Rust-style target triple of this runner.
detect_target() {
  os=${RUNNER_OS:-$(uname -s)}
  arch=${RUNNER_ARCH:-$(uname -m)}
  case "$os" in
    Linux) os=unknown-linux-gnu ;;
    macOS | Darwin) os=apple-darwin ;;
    Windows | MINGW* | MSYS* | CYGWIN*) os=pc-windows-msvc ;;
    *) fail "no cip binary for the operating system $os" ;;
  esac
  case "$arch" in
    X64 | x86_64 | amd64) arch=x86_64 ;;
    ARM64 | aarch64 | arm64) arch=aarch64 ;;
    *) fail "no cip binary for the architecture $arch" ;;
  esac
  if [ "$os" = pc-windows-msvc ] && [ "$arch" != x86_64 ]; then
    fail "no cip binary for Windows on $arch"
  fi
  echo "$arch-$os"
}

# The SHA-256 of a file, lowercase hex.
sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d ' ' -f 1
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$1" | cut -d ' ' -f 1
  else
    fail "neither sha256sum nor shasum is installed"
  fi
}

download() {
  curl --fail --silent --show-error --location --retry 3 --output "$2" "$1" ||
    fail "could not download $1"
}

repository=${CIP_REPOSITORY:-${CIP_ACTION_REPOSITORY:-}}
[ -n "$repository" ] || fail "no repository given (set the action's repository input)"

version=${CIP_VERSION:-}
if [ -z "$version" ]; then
  ref=${CIP_ACTION_REF:-}
  if printf '%s\n' "$ref" | grep -Eq '^v[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$'; then
    version=$ref
  else
    version=latest
    echo "cip install: action ref '${ref}' is not a release tag; installing the latest release" >&2
  fi
fi

target=${CIP_TARGET:-$(detect_target)}
asset="cip-$target"
name=cip
case "$target" in
  *windows*)
    asset="$asset.exe"
    name=cip.exe
    ;;
esac

base=${CIP_DOWNLOAD_BASE:-https://github.com}
if [ "$version" = latest ]; then
  url="$base/$repository/releases/latest/download"
else
  url="$base/$repository/releases/download/$version"
fi

install_dir=${CIP_INSTALL_DIR:?CIP_INSTALL_DIR must be set}
mkdir -p "$install_dir"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "cip install: $asset from $url" >&2
download "$url/SHA256SUMS" "$work/SHA256SUMS"
download "$url/$asset" "$work/$asset"

# sha256sum writes "<hex>  <name>" (or "<hex> *<name>" in binary mode).
expected=$(awk -v f="$asset" '$2 == f || $2 == "*" f { print tolower($1); exit }' "$work/SHA256SUMS")
[ -n "$expected" ] || fail "SHA256SUMS of $version has no entry for $asset"
actual=$(sha256_of "$work/$asset")
[ "$actual" = "$expected" ] ||
  fail "checksum mismatch for $asset: SHA256SUMS says $expected, the download is $actual"

mv "$work/$asset" "$install_dir/$name"
chmod +x "$install_dir/$name"
echo "cip install: verified $asset ($actual)" >&2

path="$install_dir/$name"
if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "path=$path" >>"$GITHUB_OUTPUT"; fi
if [ -n "${GITHUB_PATH:-}" ]; then echo "$install_dir" >>"$GITHUB_PATH"; fi
echo "$path"
