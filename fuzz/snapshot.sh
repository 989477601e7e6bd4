# Sourced by fuzz/pack-corpus.sh and fuzz/edges.sh. `snapshot SRC DEST` fills DEST (made
# afresh) with hard links to the files of the corpus directory SRC, or copies when links
# cannot be made (DEST on another file system), so that a fuzzer running on SRC, which
# deletes the inputs it reduces, cannot pull files from under a merge or a replay. An
# input deleted between listing and linking is no loss; a missing SRC or any other
# failure returns 1 with the first lines of the error on stderr.
snapshot() {
  local src=$1 dest=$2 err how
  [ -d "$src" ] || {
    echo "snapshot: $src is not a directory" >&2
    return 1
  }
  err=$(mktemp)
  for how in "ln" "cp -p"; do
    rm -rf "$dest"
    mkdir -p "$dest"
    # shellcheck disable=SC2086 # $how is a command and its option
    find "$src" -maxdepth 1 -type f -exec $how -t "$dest" {} + 2>"$err" || true
    if ! grep -qv 'No such file or directory' "$err"; then
      rm -f "$err"
      return 0
    fi
  done
  head -n 3 "$err" >&2
  rm -f "$err"
  return 1
}
