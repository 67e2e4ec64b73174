#!/bin/bash
# The measured record in this folder: every failed run of the published-protocol fig3 sweep
# (config/config.yaml fig3: 129 configurations, 50 runs x 3000 Adam steps, rate 0.01, seed 2023, no
# stop, fixed_floor 1e-11; trained with --backend auto, i.e. the free-fermion engine) classified on
# the free-fermion engine, then the tables, the budget results derived from the classification and
# the figure. Run from the repository root inside the project's environment, with the sweep's
# shards in $SHARDS (results/data/train/fig3 of a workflow run):
#   SHARDS=results/data/train/fig3 bash docs/failures/run_fig3_failures.sh
set -euo pipefail
SHARDS=${SHARDS:-results/data/train/fig3}
W=${W:-work/failures}
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \
  OVERPARAM_THREADS=1 XLA_FLAGS="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
mkdir -p "$W/classify" "$W/logs" "$W/dla" "$W/tables"
# Order: periodic chains, open n = 4, 6, then open n = 8, 10 in the transition region (orbit dim <= M
# <= dim g), above dim g, and below the orbit dimension (nearest first).
python - "$SHARDS" > "$W/jobs.txt" <<'PY'
import glob, os, sys
names = [os.path.basename(p)[:-4] for p in glob.glob(os.path.join(sys.argv[1], "*.npz"))]
def key(nm):
    model, n, L = nm.split("_"); n = int(n[1:]); L = int(L[1:]); M = 2 * L
    if model == "tfim-periodic": return (0, n, L)
    if n <= 6: return (1, n, L)
    if n * n // 2 <= M <= n * n: return (2, n, L)
    return (3, n, L) if M > n * n else (4, -n, -L)
print("\n".join(sorted(names, key=key)))
PY
for k in 0 1; do
  nice -n 19 python docs/failures/classify_sweep.py "$W/jobs.txt" "$SHARDS" "$W/classify" "$W/logs" "$W/times.txt" $k 2 &
done
wait
for spec in "tfim-open boundary=open" "tfim-periodic boundary=periodic"; do
  set -- $spec
  for n in 4 6 8 10; do
    [ -s "$W/dla/$1_n$n.json" ] || overparam dla tfim-hva --opt "$2" --opt g=1.0 --n $n --label "$1" --out "$W/dla/$1_n$n.json"
  done
done
C=("$W"/classify/*.json)
D=("$W"/dla/*.json)
python benchmarks/budget_study.py --from-classification "${C[@]}" --out-dir benchmarks/results/budget
overparam table failures "${C[@]}" "${D[@]}" --out docs/failures/failures.csv
overparam table failures_summary "${C[@]}" "${D[@]}" --out docs/failures/failures_summary.csv
overparam table failures_budget benchmarks/results/budget/*.json --out docs/failures/failures_budget.csv
overparam figure failures docs/failures/failures.csv --data "${C[@]}" benchmarks/results/budget/*.json \
  --out docs/failures/failures
