#!/bin/sh
# Runs cip with flags built from the action's inputs (passed as environment variables, never
# pasted into the script, so no input can inject shell code). POSIX sh.
#
#   CIP_BIN                the cip binary (default: cip on PATH)
#   CIP_MANIFEST           --manifest
#   CIP_THIN_MANIFEST_DIR  --thin-manifest-dir
#   CIP_CONFIRM            "true" adds --confirm; "false" or empty is a dry run
#   CIP_CHECKS             --checks
#   CIP_SKIP_CHECKS        --skip-checks
#   CIP_DIFF_BASE          --diff-base
#   CIP_KEY_FILES          --key-files
#   CIP_REPORT             --report
#   CIP_LOG_LEVEL          --log-level
#   CIP_ARGS               more arguments, split at whitespace (no quoting, no globbing)
set -eu

set --
for pair in \
  "manifest:${CIP_MANIFEST:-}" \
  "thin-manifest-dir:${CIP_THIN_MANIFEST_DIR:-}" \
  "checks:${CIP_CHECKS:-}" \
  "skip-checks:${CIP_SKIP_CHECKS:-}" \
  "diff-base:${CIP_DIFF_BASE:-}" \
  "key-files:${CIP_KEY_FILES:-}" \
  "report:${CIP_REPORT:-}" \
  "log-level:${CIP_LOG_LEVEL:-}"; do
  # Each pair is FLAG:VALUE; an empty value leaves the flag out.
  value=${pair#*:}
  if [ -n "$value" ]; then set -- "$@" "--${pair%%:*}=$value"; fi
done

case "${CIP_CONFIRM:-false}" in
  true) set -- "$@" --confirm ;;
  false | "") ;;
  *)
    echo "cip action: the confirm input must be true or false, not '${CIP_CONFIRM}'" >&2
    exit 2
    ;;
esac

if [ -n "${CIP_ARGS:-}" ]; then
  set -f
  # shellcheck disable=SC2086 # splitting the extra arguments at whitespace is intended
  set -- "$@" $CIP_ARGS
  set +f
fi

exec "${CIP_BIN:-cip}" "$@"
