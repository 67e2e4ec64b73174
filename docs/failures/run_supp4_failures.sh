#!/bin/bash
# The supp4 (QAQC) part of the measured record in this folder: every failed run of the supp4 shards
# in $SUPP4_SHARDS (results/data/train/supp4 of a workflow run of config/config.yaml: 50 runs x 3000
# Adam steps, rate 0.01, seed 2023, no stop, fixed_floor 1e-11; QAQC trains on the state-vector
# engine) classified with the same library call as 'overparam classify', then the tables and the
# figure rebuilt from the fig3 classification of run_fig3_failures.sh ($W/classify) and this one.
# Run from the repository root inside the project's environment:
#   SUPP4_SHARDS=results/data/train/supp4 bash docs/failures/run_supp4_failures.sh
set -euo pipefail
SUPP4_SHARDS=${SUPP4_SHARDS:-results/data/train/supp4}
W=${W:-work/failures}
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 OVERPARAM_THREADS=1
mkdir -p "$W/classify_supp4" "$W/logs_supp4" "$W/dla"
# Smallest circuits first: a shard's cost grows with 4^n and M.
python - "$SUPP4_SHARDS" > "$W/jobs_supp4.txt" <<'PY'
import glob, os, sys
names = [os.path.basename(p)[:-4] for p in glob.glob(os.path.join(sys.argv[1], "*.npz"))]
print("\n".join(sorted(names, key=lambda nm: (int(nm.split("_")[1][1:]), int(nm.split("_")[2][1:])))))
PY
for k in 0 1; do
  nice -n 19 python docs/failures/classify_sweep.py "$W/jobs_supp4.txt" "$SUPP4_SHARDS" "$W/classify_supp4" \
    "$W/logs_supp4" "$W/times_supp4.txt" $k 2 supp4 &
done
wait
for n in 2 3 4 5; do
  [ -s "$W/dla/qaqc_n$n.json" ] || overparam dla qaqc-hea --opt unitary_seed=0 --n $n --label qaqc --out "$W/dla/qaqc_n$n.json"
done
C=("$W"/classify/*.json "$W"/classify_supp4/*.json)
D=("$W"/dla/*.json)
overparam table failures "${C[@]}" "${D[@]}" --out docs/failures/failures.csv
overparam table failures_summary "${C[@]}" "${D[@]}" --out docs/failures/failures_summary.csv
overparam figure failures docs/failures/failures.csv --data "${C[@]}" benchmarks/results/budget/*.json \
  --out docs/failures/failures
