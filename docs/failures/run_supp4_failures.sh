#!/bin/bash
# The supp4 (QAQC) part of the measured record in this folder: every failed run of the supp4 shards
# in $SUPP4_SHARDS (results/data/train/supp4 of a workflow run of config/config.yaml: 50 runs x 3000
# Adam steps, rate 0.01, seed 2023, no stop, fixed_floor 1e-11; QAQC trains on the state-vector
# engine) classified with the same library calls as 'overparam classify', then the tables and the
# figure rebuilt from the fig3 classification of run_fig3_failures.sh ($W/classify) and this one.
# The cheap shards (n = 2, 3 and n = 4 away from dim g) run one shard per worker (classify_sweep.py);
# the costly ones (n = 4, L = 20, just below dim g, and n = 5: 10-qubit Hessians at M >= 250) split
# each shard's failed runs over both workers with one file per run (classify_split.py), so an
# interrupted sweep resumes run by run. Run from the repository root inside the project's environment:
#   SUPP4_SHARDS=results/data/train/supp4 bash docs/failures/run_supp4_failures.sh
set -euo pipefail
source docs/failures/split_shard.sh
SUPP4_SHARDS=${SUPP4_SHARDS:-results/data/train/supp4}
W=${W:-work/failures}
SPLIT=${SPLIT:-"qaqc_n4_L20 $(cd "$SUPP4_SHARDS" && ls qaqc_n5_L*.npz 2>/dev/null | sed 's/\.npz$//' | sort -t L -k2 -n | tr '\n' ' ')"}
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 OVERPARAM_THREADS=1
mkdir -p "$W/classify_supp4" "$W/logs_supp4" "$W/dla"
# Smallest circuits first: a shard's cost grows with 4^n and M.
python - "$SUPP4_SHARDS" > "$W/jobs_supp4.txt" <<'PY'
import glob, os, sys
names = [os.path.basename(p)[:-4] for p in glob.glob(os.path.join(sys.argv[1], "*.npz"))]
print("\n".join(sorted(names, key=lambda nm: (int(nm.split("_")[1][1:]), int(nm.split("_")[2][1:])))))
PY
# The split shards are not for classify_sweep.py.
grep -vxF -f <(tr ' ' '\n' <<< "$SPLIT" | sed '/^$/d') "$W/jobs_supp4.txt" > "$W/jobs_supp4.tmp" || true
mv "$W/jobs_supp4.tmp" "$W/jobs_supp4.txt"
for k in 0 1; do
  nice -n 19 python docs/failures/classify_sweep.py "$W/jobs_supp4.txt" "$SUPP4_SHARDS" "$W/classify_supp4" \
    "$W/logs_supp4" "$W/times_supp4.txt" $k 2 supp4 &
done
wait
for job in $SPLIT; do
  [ -s "$W/classify_supp4/$job.json" ] && continue
  classify_shard_on_workers "$SUPP4_SHARDS/$job.npz" "$W/split/$job" "$W/classify_supp4/$job.json" "$W/logs_supp4/$job"
done
for n in 2 3 4 5; do
  [ -s "$W/dla/qaqc_n$n.json" ] || overparam dla qaqc-hea --opt unitary_seed=0 --n $n --label qaqc --out "$W/dla/qaqc_n$n.json"
done
C=("$W"/classify/*.json "$W"/classify_supp4/*.json)
D=("$W"/dla/*.json)
overparam table failures "${C[@]}" "${D[@]}" --out docs/failures/failures.csv
overparam table failures_summary "${C[@]}" "${D[@]}" --out docs/failures/failures_summary.csv
overparam figure failures docs/failures/failures.csv --data "${C[@]}" benchmarks/results/budget/*.json \
  --out docs/failures/failures
