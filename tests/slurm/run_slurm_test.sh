#!/usr/bin/env bash
# Opt-in end-to-end test of the SLURM profile on a real single-node SLURM (Debian's slurm-wlm).
#
# Installs slurm-wlm and munge with apt-get, writes a one-node slurm.conf for this host, starts
# munged, slurmctld and slurmd, runs the quick config through snakemake-executor-plugin-slurm in a
# temporary copy of the repository, checks the outputs, and stops the daemons it started.
# Needs root (slurmd runs as root) and a Debian/Ubuntu machine. Run from the repository root:
#   sudo OVERPARAM_PYTHON=.venv/bin/python tests/slurm/run_slurm_test.sh
# Environment: OVERPARAM_PYTHON (python of the environment with overparam and the plugin; default
# .venv/bin/python), SLURM_TEST_WORKDIR (where the repository copy goes; default a new temp dir),
# SLURM_TEST_CONFIG (default config/quick.yaml), SLURM_TEST_TARGET (default: the default target),
# SLURM_TEST_TIMEOUT (seconds for the workflow, default 5400).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PY=${OVERPARAM_PYTHON:-$ROOT/.venv/bin/python}
PY=$(cd "$(dirname "$PY")" && pwd)/$(basename "$PY")
VENV_BIN=$(dirname "$PY")
CONFIG=${SLURM_TEST_CONFIG:-config/quick.yaml}
TARGET=${SLURM_TEST_TARGET:-}
WORK=${SLURM_TEST_WORKDIR:-$(mktemp -d /tmp/overparam-slurm.XXXXXX)}
STATE=$WORK/slurm-state
HOST=$(hostname -s)
t_start=$(date +%s)

log() { echo "[slurm-test $(date +%H:%M:%S)] $*" >&2; }
die() { log "FAILED: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (slurmd needs it)"
[ -x "$PY" ] || die "no python at $PY; set OVERPARAM_PYTHON"
"$PY" -c "import snakemake_executor_plugin_slurm" 2>/dev/null \
  || die "snakemake-executor-plugin-slurm is not installed in $PY's environment (pip install -e '.[cluster]')"

# --- 1. install (another process may hold the dpkg lock for a while: retry) -------------------
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  for attempt in $(seq 1 60); do
    if apt-get install -y -q -o DPkg::Lock::Timeout=30 slurm-wlm munge >"$WORK/apt.log" 2>&1; then break; fi
    if [ "$attempt" = 1 ]; then apt-get update -q >>"$WORK/apt.log" 2>&1 || true; fi
    [ "$attempt" = 60 ] && { tail -20 "$WORK/apt.log"; die "apt-get install slurm-wlm munge"; }
    log "apt-get busy or failed (attempt $attempt), retrying in 10 s"; sleep 10
  done
fi
log "slurm $(slurmctld -V 2>&1), $(munged -V 2>&1 | head -1)"

# --- 2. configure -----------------------------------------------------------------------------
mkdir -p "$STATE"/{ctld,slurmd,log,munge} /etc/slurm /etc/munge /run/munge
if [ ! -s /etc/munge/munge.key ]; then
  dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
fi
chown -R munge:munge /etc/munge /run/munge "$STATE/munge" 2>/dev/null || true
chmod 0700 /etc/munge; chmod 0400 /etc/munge/munge.key
# The node line as slurmd itself detects the hardware (CPUs, sockets, memory), renamed to this host.
NODE=$(slurmd -C | head -1 | sed "s/^NodeName=[^ ]*/NodeName=$HOST/; s/ UpTime=.*//")
CONF=/etc/slurm/slurm.conf
[ -e "$CONF" ] && [ ! -e "$CONF.overparam-backup" ] && cp "$CONF" "$CONF.overparam-backup"
cat >"$CONF" <<CONF
# Written by overparam tests/slurm/run_slurm_test.sh: one node, localhost, no accounting.
ClusterName=overparam-test
SlurmctldHost=$HOST
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/slurmd
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
# Finished jobs stay visible to squeue/sacct long enough for the executor's status checks.
MinJobAge=600
$NODE State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF

# --- 3. start the daemons (remember their pids; stop only those) ------------------------------
PIDS=()
cleanup() {
  log "stopping the daemons"
  scancel --quiet --user root 2>/dev/null || true
  for f in "$STATE/slurmd.pid" "$STATE/slurmctld.pid" "$STATE/munged.pid"; do
    [ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null || true
  done
  sleep 2
  if [ -e "$CONF.overparam-backup" ]; then mv "$CONF.overparam-backup" "$CONF"; fi
}
trap cleanup EXIT

runuser -u munge -- munged --socket=/run/munge/munge.socket.2 --pid-file="$STATE/munge/munged.pid" \
  --log-file="$STATE/munge/munged.log" --seed-file="$STATE/munge/munged.seed"
cp "$STATE/munge/munged.pid" "$STATE/munged.pid"
munge -n | unmunge >/dev/null || die "munge round trip"
slurmctld
slurmd
for i in $(seq 1 60); do
  state=$(sinfo -h -n "$HOST" -o %t 2>/dev/null || true)
  [ "$state" = idle ] && break
  [ "$i" = 60 ] && { tail -20 "$STATE/log/slurmctld.log" "$STATE/log/slurmd.log"; die "node $HOST not idle (state '$state')"; }
  sleep 2
done
log "node $HOST idle: $(sinfo -h -o '%P %c CPUs %m MB')"
srun -N1 -n1 hostname >/dev/null || die "srun hostname"

# --- 4. the workflow through the executor, in a copy of the repository ------------------------
REPO=$WORK/repo
mkdir -p "$REPO"
(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf -) | tar -C "$REPO" -xf -
cd "$REPO"
export PATH="$VENV_BIN:$PATH"
export PYTHONPATH="$ROOT/src${PYTHONPATH:+:$PYTHONPATH}"
t_wf=$(date +%s)
log "snakemake --executor slurm --profile workflow/profiles/slurm --configfile $CONFIG ${TARGET}"
# This test cluster has no accounts and no accounting database (sacct answers nothing), so job
# states come from squeue (finished jobs stay visible for MinJobAge); poll early (default: 40 s).
timeout "${SLURM_TEST_TIMEOUT:-5400}" snakemake $TARGET --executor slurm --profile workflow/profiles/slurm \
  --configfile "$CONFIG" --slurm-no-account --slurm-status-command squeue \
  --slurm-init-seconds-before-status-checks 5 --jobs 4 >"$WORK/snakemake.log" 2>&1 \
  || { tail -40 "$WORK/snakemake.log"; die "snakemake through SLURM"; }
t_end=$(date +%s)

# --- 5. check the outputs -------------------------------------------------------------------
jobs_run=$(grep -c "Job .* has been submitted with SLURM jobid" "$WORK/snakemake.log" || true)
[ "$jobs_run" -gt 0 ] || die "no job went through SLURM"
if [ -z "$TARGET" ]; then
  for f in results/tables/dla.csv results/tables/fig2.csv results/tables/fig3.csv results/figures/fig2.png \
           book/_build/html/index.html; do
    [ -s "$f" ] || die "missing output $f"
  done
fi
log "OK: $jobs_run jobs submitted through SLURM; workflow $((t_end - t_wf)) s, total $((t_end - t_start)) s"
log "logs: $WORK/snakemake.log, $STATE/log/"
