#!/bin/bash
# The earlier measured record (docs/failures/early_stop_protocol, superseded by the published-protocol
# record in docs/failures): open TFIM chains, experiment 1 (fig3) configurations,
# retrained with the workflow's exact flags (config/config.yaml fig3: 50 runs, 3000 Adam steps,
# lr 0.01, seed 2023, stop at 1e-11), then every failed run classified, then the tables and figure.
# Run from the repository root inside the project's environment:
#   bash docs/failures/run_open_chains.sh 6 "4 6 8 10 12 14 16 18"
#   bash docs/failures/run_open_chains.sh 8 "16 20 24 28 32"
set -euo pipefail
N=$1
LAYERS=$2
export OMP_NUM_THREADS=1 OVERPARAM_THREADS=1 XLA_FLAGS="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
mkdir -p results/data/train/fig3 results/data/classify/fig3 results/data/dla logs/train/fig3 logs/classify/fig3
overparam dla tfim-hva --opt boundary=open --opt g=1.0 --n "$N" --label tfim-open --out "results/data/dla/tfim-open_n$N.json"
for L in $LAYERS; do
  run=tfim-open_n${N}_L${L}
  [ -f "results/data/train/fig3/$run.npz" ] || overparam train tfim-hva --opt boundary=open --opt g=1.0 --n "$N" \
    --layers "$L" --runs 50 --steps 3000 --lr 0.01 --seed 2023 --spectra 0 --label tfim-open --stop-below 1e-11 \
    --curves "results/data/train/fig3/$run.npz" --out "results/data/train/fig3/$run.json" --verbose \
    2> "logs/train/fig3/$run.log"
  [ -f "results/data/classify/fig3/$run.json" ] || overparam classify "results/data/train/fig3/$run.npz" \
    --out "results/data/classify/fig3/$run.json" --experiment fig3 --success-threshold 1e-4 --verbose \
    2> "logs/classify/fig3/$run.log"
done
# Tables and figure over everything classified so far (as the workflow's failures rules do).
C=(results/data/classify/fig3/*.json)
D=(results/data/dla/tfim-open_n*.json)
overparam table failures "${C[@]}" "${D[@]}" --out results/tables/failures.csv
overparam table failures_summary "${C[@]}" "${D[@]}" --out results/tables/failures_summary.csv
overparam table failures_budget benchmarks/results/budget/*.json --out results/tables/failures_budget.csv
overparam figure failures results/tables/failures.csv --data "${C[@]}" benchmarks/results/budget/*.json \
  --out results/figures/failures
