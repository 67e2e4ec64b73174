# Sourced by run_supp4_failures.sh and run_supp4_n5.sh: classify one costly shard's failed runs on
# $WORKERS workers (default 2) that claim runs one at a time from a shared claim folder, so no worker
# idles while another still has a queue, then merge the run files into the configuration's summary.
#   classify_shard_on_workers SHARD RUN_DIR OUT LOG_PREFIX [EXPERIMENT]
# Run files already in RUN_DIR are kept, so an interrupted shard resumes run by run.
classify_shard_on_workers() {
  local shard=$1 run_dir=$2 out=$3 log=$4 experiment=${5:-supp4} claims k
  claims=$(mktemp -d)
  for ((k = 0; k < ${WORKERS:-2}; k++)); do
    nice -n 19 python docs/failures/classify_split.py queue "$shard" "$run_dir" "$claims" >> "$log.w$k.log" 2>&1 &
  done
  wait
  rm -rf "$claims"
  python docs/failures/classify_split.py merge "$shard" "$run_dir" "$out" "$experiment"
}
