#!/bin/bash
# Supp4 n = 5 one depth at a time (the record's 2026-12-04 extension): train the depth's 50 runs with
# the published protocol where its shard is missing, classify its failed runs on both workers (each
# claims the next run as it frees up; one file per run, so an interrupted depth resumes run by run),
# then add the configuration to the tables in this folder and redraw the figure from the summary
# table. Run from the repository root inside the project's environment, e.g.
#   LAYERS="15 25 35 65 75 115" bash docs/failures/run_supp4_n5.sh
# Depths whose training shard and per-run classifications are committed in n5_runs/ (L = 45 and 55,
# one file per classified run) are copied into $W first, so they resume run by run instead of
# training and classifying again (rerunning them with all 50 files only merges).
set -euo pipefail
source docs/failures/split_shard.sh
LAYERS=${LAYERS:-"15 25 35 45 55 65 75 85 95 105 115 125"}
W=${W:-work/failures_n5}
S=$W/shards
P=docs/failures/n5_runs
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 OVERPARAM_THREADS=1
mkdir -p "$S" "$W/split" "$W/classify_supp4" "$W/logs"
[ -s "$W/dla_qaqc_n5.json" ] || overparam dla qaqc-hea --opt unitary_seed=0 --n 5 --label qaqc --out "$W/dla_qaqc_n5.json"
for L in $LAYERS; do
  job=qaqc_n5_L$L
  if [ ! -s "$S/$job.npz" ] && [ -s "$P/shards/$job.npz" ]; then cp "$P/shards/$job.npz" "$P/shards/$job.json" "$S/"; fi
  mkdir -p "$W/split/$job"
  for f in "$P/split/$job"/run_*.json; do
    [ ! -e "$f" ] || [ -e "$W/split/$job/${f##*/}" ] || cp "$f" "$W/split/$job/"
  done
  if [ ! -s "$S/$job.npz" ]; then
    nice -n 19 overparam train qaqc-hea --opt unitary_seed=0 --n 5 --layers "$L" --runs 50 --steps 3000 \
      --lr 0.01 --seed 2023 --backend auto --label qaqc --fixed-floor 1e-11 --qsim-check-runs 5 \
      --curves "$S/$job.npz" --out "$S/$job.json" --verbose 2> "$W/logs/train_$job.log"
  fi
  classify_shard_on_workers "$S/$job.npz" "$W/split/$job" "$W/classify_supp4/$job.json" "$W/logs/classify_$job"
  python docs/failures/add_configurations.py docs/failures "$W/classify_supp4/$job.json" "$W/dla_qaqc_n5.json"
done
overparam figure failures docs/failures/failures.csv --data docs/failures/failures_summary.csv \
  benchmarks/results/budget/*.json --out docs/failures/failures
