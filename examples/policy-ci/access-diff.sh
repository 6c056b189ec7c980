#!/bin/sh
# access-diff.sh BASE_REF SUMMARY_FILE: appends to SUMMARY_FILE the access that changes between
# the policy at BASE_REF (a git ref: origin/main) and the working tree, as Markdown. Exits 1 when
# access is lost (--fail-on loss), so that a loss needs a deliberate second look; the summary is
# written either way. Run from the repository root; both CI workflows call it.
set -u
base_ref=$1
summary=$2
policy=policies/crm.policy.yaml
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! git cat-file -e "$base_ref:$policy" 2>/dev/null; then
  printf '### Access changes\n\n`%s` is new on this branch: nothing to compare.\n' "$policy" >> "$summary"
  exit 0
fi
git show "$base_ref:$policy" > "$tmp/base.policy.yaml"
status=0
npx --no-install purview diff "$tmp/base.policy.yaml" "$policy" --resources policies/records.yaml --fail-on loss > "$tmp/diff.txt" 2>&1 || status=$?
{
  printf '### Access changes against %s\n\n' "$base_ref"
  printf '```text\n'
  cat "$tmp/diff.txt"
  printf '```\n'
  if [ "$status" -ne 0 ]; then printf '\nThis change removes access (or the diff failed): a reviewer must approve it.\n'; fi
} >> "$summary"
exit "$status"
