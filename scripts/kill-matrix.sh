#!/usr/bin/env bash
# The kill/corruption matrix of `biaslab train` (docs/reliability.md): kills the CLI with SIGKILL at chosen
# moments, or damages a run's files, then runs the same `train` command again and compares each run's final
# checkpoint and metrics with an undisturbed reference. The kills are exact: strace's fault injection makes the
# kernel deliver SIGKILL as the JVM enters a chosen system call (the open before a metrics line is appended, the
# rename that would complete a manifest, the n-th msync, which only the safetensors writer makes: its temporary file
# is then filled but not yet renamed), the instant a kill -9 from outside would hit only by chance. Two seeds train
# as one ensemble, as RunQueue groups them.
#
#   scripts/kill-matrix.sh [WORKDIR]      needs strace; about 15 minutes on 2 busy cores; prints a Markdown table
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(realpath -m "${1:-/tmp/biaslab-kill-matrix}")
command -v strace >/dev/null || { echo "kill-matrix: needs strace" >&2; exit 1; }
rm -rf "$work" && mkdir -p "$work"
args=(train --task parity --n 6 --d 32 --batch 128 --steps 60 --checkpoint-every 10 --log-every 5 --eval-every 20
      --eval-batches 2 --seeds 0,1)
runs=(parity-n6-s0 parity-n6-s1)
last=ckpt-000000060

train() { "$root/biaslab" "${args[@]}" --out "$1" >"$1.out" 2>"$1.err"; }

# kill_at DIR CALLS PATH [WHEN]: trains in DIR; SIGKILL when the JVM enters one of CALLS for the WHEN-th time, on
# PATH (for a rename: its source) unless PATH is empty
kill_at() {
  local only=(); [ -n "$3" ] && only=(-P "$3")
  strace -f -qq -o /dev/null "${only[@]}" -e trace="$2" -e inject="$2:signal=KILL:when=${4:-1}" \
    "$root/biaslab" "${args[@]}" --out "$1" >"$1.kill.out" 2>"$1.kill.err"
  local rc=$?
  [ $rc -eq 137 ] || echo "kill-matrix: $1 was not killed (exit $rc)" >&2
}
RENAME=rename,renameat,renameat2 OPEN=open,openat UNLINK=unlink,unlinkat

flip() { # flip FILE OFFSET: flips the lowest bit of one byte (a negative offset counts from the end)
  local size off byte
  size=$(stat -c %s "$1"); off=$2; [ "$off" -lt 0 ] && off=$((size + off))
  byte=$(od -An -tu1 -j "$off" -N1 "$1" | tr -d ' ')
  printf "$(printf '\\%03o' $((byte ^ 1)))" | dd of="$1" bs=1 seek="$off" conv=notrunc status=none
}
metrics() { sed -E 's/"steps_per_s":[^,}]*//' "$1"; }

# state DIR: each run's checkpoints (* without a manifest), temporary files and what latest names
state() {
  local out=() r c n t
  for r in "${runs[@]}"; do
    n="${r##*-}:"
    for c in "$1/$r"/ckpt-*; do
      [ -d "$c" ] || continue
      n+=" $(basename "$c" | sed -E 's/ckpt-0*([0-9])/\1/')"; [ -f "$c/manifest.json" ] || n+="*"
    done
    t=$(find "$1/$r" -name '*.tmp' | wc -l); [ "$t" -gt 0 ] && n+=" +${t} tmp"
    if [ -f "$1/$r/latest" ]; then n+=", latest $(sed -E 's/ckpt-0*([0-9])/\1/' "$1/$r/latest")"; else n+=", no latest"; fi
    out+=("$n")
  done
  local IFS=';'; echo "${out[*]}" | sed 's/;/; /'
}

# report ID FAULT: runs train again in $work/ID and prints a table row comparing it with the reference
report() {
  local d=$work/$1 before rc notes same=() met=()
  before=$(state "$d")
  train "$d"; rc=$?
  notes=$( (grep -oE '^resuming at step [0-9]+' "$d.out"; grep -vE '^(train +[0-9]+%|estimated|biaslab: building)' "$d.err") |
    sed "s|$d/||g" | tr '\n' ' ' | sed 's/ *$//; s/|/\\|/g')
  for r in "${runs[@]}"; do
    if cmp -s "$work/ref/$r/$last/model.safetensors" "$d/$r/$last/model.safetensors" &&
       cmp -s "$work/ref/$r/$last/optimizer.safetensors" "$d/$r/$last/optimizer.safetensors"; then same+=(same); else same+=(DIFFERENT); fi
    if diff -q <(metrics "$work/ref/$r/metrics.jsonl") <(metrics "$d/$r/metrics.jsonl") >/dev/null; then met+=(same)
    else met+=("$(diff <(metrics "$work/ref/$r/metrics.jsonl") <(metrics "$d/$r/metrics.jsonl") | grep -c '^[<>]') lines differ"); fi
  done
  printf '| %s | %s | %s | %s | %s | %s, %s | %s, %s | %s |\n' "$1" "$2" "$before" "$rc" "${notes:-–}" "${same[@]}" "${met[@]}" "$(state "$d")"
}

fresh_finished() { cp -a "$work/ref" "$work/$1"; }
killed_between() { kill_at "$work/$1" "$OPEN" "$work/$1/${runs[0]}/metrics.jsonl" 5; } # before s0's step-25 line

train "$work/ref" || { echo "kill-matrix: the reference run failed" >&2; exit 1; }
echo "| id | fault | before the rerun | exit | what train said | final checkpoint s0, s1 | metrics s0, s1 | after |"
echo "|---|---|---|---|---|---|---|---|"
s0=${runs[0]} s1=${runs[1]}

killed_between k1; report k1 "kill -9 between checkpoints 20 and 30 (entering the open of s0's step-25 metrics line)"
killed_between k2; head -c 30 <(grep '"step":25,' "$work/ref/$s0/metrics.jsonl") >>"$work/k2/$s0/metrics.jsonl"
report k2 "kill -9 during a metrics append (as k1, and s0's step-25 line cut after 30 bytes)"
# msyncs: one per file, s0's optimizer and model, then s1's, at each checkpoint step: the 9th is s0's optimizer at 30
kill_at "$work/k3" msync "" 9
report k3 "kill -9 in checkpoint 30: s0's optimizer temporary file filled, not yet renamed"
kill_at "$work/k4" msync "" 10
report k4 "kill -9 in checkpoint 30: s0's model temporary file filled, not yet renamed"
kill_at "$work/k5" msync "" 12
report k5 "kill -9 in the ensemble's checkpoint 30: s0's complete, s1's model temporary file not yet renamed"
kill_at "$work/k6" "$RENAME" "$work/k6/$s0/ckpt-000000030/manifest.json.tmp"
report k6 "kill -9 in checkpoint 30: both files renamed, manifest written but not renamed"
kill_at "$work/k7" "$RENAME" "$work/k7/$s0/latest.tmp" 3
report k7 "kill -9 after checkpoint 30 verified, before latest names it"
kill_at "$work/k8" "$UNLINK" "$work/k8/$s0/ckpt-000000010/model.safetensors"
report k8 "kill -9 while checkpoint 10 is being deleted (after 30 is verified)"
kill_at "$work/k9" "$RENAME" "$work/k9/$s0/$last/manifest.json.tmp"
report k9 "kill -9 in the final checkpoint 60, before its manifest is renamed"
kill_at "$work/k10" "$RENAME" "$work/k10/$s0/summary.json.tmp"
report k10 "kill -9 while summary.json is written"

fresh_finished c1; flip "$work/c1/$s1/$last/model.safetensors" -1
report c1 "finished run: one bit flipped in s1's final model.safetensors (tensor data)"
fresh_finished c2; flip "$work/c2/$s0/$last/optimizer.safetensors" 100
report c2 "finished run: one bit flipped in s0's final optimizer.safetensors (header JSON)"
fresh_finished c3; flip "$work/c3/$s0/$last/manifest.json" 60
report c3 "finished run: one bit flipped in s0's final manifest.json (in the model's SHA-256)"
fresh_finished c4; flip "$work/c4/$s0/$last/model.safetensors" -1; flip "$work/c4/$s0/ckpt-000000050/model.safetensors" -1
report c4 "finished run: a bit flipped in both of s0's checkpoints (50 and 60)"
fresh_finished c5; rm "$work/c5/$s0/$last/manifest.json"
report c5 "finished run: s0's final manifest.json deleted"
fresh_finished c6; rm "$work/c6/$s0/latest" "$work/c6/$s1/latest"
report c6 "finished run: latest deleted in both runs"
fresh_finished c7; printf 'x' >"$work/c7/$s0/$last/.optimizer.safetensors.5f0e2c1a9b8d7e6f.tmp"
cp -a "$work/c7/$s0/ckpt-000000050" "$work/c7/$s0/ckpt-000000040"; printf 'ckpt-0' >"$work/c7/$s0/latest.tmp"
report c7 "finished run with leftovers: a writer's temporary file, latest.tmp, a stale ckpt-40 beside 50 and 60"
killed_between c8; rm "$work/c8/$s0/latest"
report c8 "killed run (k1): s0's latest deleted"
killed_between c9; printf 'ckpt-6' >"$work/c9/$s0/latest"
report c9 "killed run (k1): s0's latest says ckpt-6"
killed_between c10; flip "$work/c10/$s0/ckpt-000000020/model.safetensors" -1
report c10 "killed run (k1): a bit flipped in s0's newest checkpoint (20)"
killed_between c11; flip "$work/c11/$s0/metrics.jsonl" 100
report c11 "killed run (k1): a bit flipped in s0's metrics.jsonl (byte 100, in its first line)"
killed_between c12; truncate -s 200 "$work/c12/$s0/metrics.jsonl"
report c12 "killed run (k1): s0's metrics.jsonl truncated to 200 bytes"
