#!/usr/bin/env bash
# End-to-end test of the SLURM profile on a real single-node SLURM (Debian's slurm-wlm and munge).
#
#   sudo OVERPARAM_PYTHON=.venv/bin/python tests/slurm/run_slurm_test.sh             # everything
#   sudo tests/slurm/run_slurm_test.sh --preflight   # only check root/apt and install the packages
#
# 1. Installs slurm-wlm and munge with apt-get when missing.
# 2. Takes a finished local run of the workflow as the reference (SLURM_TEST_REFERENCE, a repository
#    copy in which `snakemake --cores ... --configfile $SLURM_TEST_CONFIG` has finished; without it
#    the script makes one), and copies it.
# 3. Writes a one-node slurm.conf for this host and starts munged, slurmctld and slurmd, with their
#    state in a directory of their own (not under the caller's 0700 temporary directory).
# 4. In the copy, re-runs the forced jobs (SLURM_TEST_FORCE: a training shard and a QFIM sweep) and
#    everything downstream of them, down to the book, through snakemake-executor-plugin-slurm.
# 5. Checks (tests/slurm/check_slurm_run.py): every job the plan sends to SLURM got a SLURM job id
#    that the controller ran to completion, no local rule did, and every table equals the local
#    run's (timing columns aside).
# The daemons are stopped and the node's config restored on every exit, failure and interrupt.
#
# Exit status: 0 passed; 1 failed (with the reason and the relevant log lines on stderr); 77 skipped
# (one "SKIP: reason" line: not root, no apt-get, the dpkg lock held, a live SLURM or munge here).
# Environment: OVERPARAM_PYTHON (python with overparam and the plugin; default .venv/bin/python),
# SLURM_TEST_WORKDIR (default: a new temporary directory), SLURM_TEST_REFERENCE (see 2),
# SLURM_TEST_CONFIG (space-separated config files; default config/quick.yaml), SLURM_TEST_FORCE
# (outputs whose jobs are re-run through SLURM, or "all" for the whole DAG), SLURM_TEST_REQUIRE
# (rules that must go through sbatch; default "train_run qfim_sweep book"), SLURM_TEST_TIMEOUT
# (seconds for the SLURM run, default 3600), SLURM_TEST_LOCK_WAIT (seconds to wait for the dpkg
# lock, default 300).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CONFIG=${SLURM_TEST_CONFIG:-config/quick.yaml}
FORCE=${SLURM_TEST_FORCE:-results/data/fig2/qaqc_n2.json results/data/train/supp4/qaqc_n2_L1.json}
REQUIRE=${SLURM_TEST_REQUIRE:-train_run qfim_sweep book}
LOCK_WAIT=${SLURM_TEST_LOCK_WAIT:-300}
PREFLIGHT=0
[ "${1:-}" = --preflight ] && PREFLIGHT=1
t_start=$(date +%s)

log() { echo "[slurm-test $(date +%H:%M:%S)] $*" >&2; }
die() { log "FAILED: $*"; exit 1; }
skip() { echo "SKIP: $*" >&2; exit 77; }

# --- 0. preconditions: anything missing here is a skip, said in one line ----------------------
[ "$(id -u)" = 0 ] || skip "not root (slurmd and the package install need root)"
for daemon in slurmctld slurmd munged; do
  pid=$(pgrep -x "$daemon" | head -1 || true)
  [ -z "$pid" ] || skip "$daemon is already running here (pid $pid): this test does not touch a live SLURM or munge"
done
if [ "$PREFLIGHT" = 0 ]; then
  PY=${OVERPARAM_PYTHON:-$ROOT/.venv/bin/python}
  [ -x "$PY" ] || die "no python at $PY; set OVERPARAM_PYTHON"
  PY=$(cd "$(dirname "$PY")" && pwd)/$(basename "$PY")
  "$PY" -c "import snakemake_executor_plugin_slurm" 2>/dev/null \
    || die "snakemake-executor-plugin-slurm is not installed in $PY's environment (pip install -e '.[cluster]')"
fi
WORK=${SLURM_TEST_WORKDIR:-$(mktemp -d /tmp/overparam-slurm.XXXXXX)}
mkdir -p "$WORK"

# --- 1. install (the dpkg lock may be held by another apt for a while: wait, then skip) --------
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null; then
  command -v apt-get >/dev/null || skip "slurm-wlm/munge are not installed and there is no apt-get to install them"
  export DEBIAN_FRONTEND=noninteractive
  # No daemon may start from the packages' maintainer scripts: this test starts its own.
  POLICY_ADDED=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 0755 /usr/sbin/policy-rc.d && POLICY_ADDED=1
  fi
  apt_ok=0
  for attempt in 1 2; do
    if apt-get install -y -q -o DPkg::Lock::Timeout="$LOCK_WAIT" slurm-wlm munge >"$WORK/apt.log" 2>&1; then
      apt_ok=1; break
    fi
    grep -qiE 'could not get lock|unable to acquire the dpkg|is held by process' "$WORK/apt.log" && break
    [ "$attempt" = 1 ] && { apt-get update -q -o DPkg::Lock::Timeout="$LOCK_WAIT" >>"$WORK/apt.log" 2>&1 || true; }
  done
  [ "$POLICY_ADDED" = 1 ] && rm -f /usr/sbin/policy-rc.d
  if [ "$apt_ok" = 0 ]; then
    if grep -qiE 'could not get lock|unable to acquire the dpkg|is held by process' "$WORK/apt.log"; then
      skip "the dpkg lock is held by another process after ${LOCK_WAIT} s: $(grep -iE -m1 'held by process|could not get lock' "$WORK/apt.log")"
    fi
    tail -20 "$WORK/apt.log" >&2
    die "apt-get install slurm-wlm munge"
  fi
fi
log "slurm $(slurmctld -V 2>&1), $(munged -V 2>&1 | head -1)"
[ "$PREFLIGHT" = 1 ] && exit 0

# --- 2. the local reference run, and the copy the cluster run works in -------------------------
read -r -a CONFIGS <<<"$CONFIG"
export PATH="$(dirname "$PY"):$PATH"
export PYTHONPATH="$ROOT/src${PYTHONPATH:+:$PYTHONPATH}"
REFERENCE=${SLURM_TEST_REFERENCE:-}
if [ -z "$REFERENCE" ]; then
  REFERENCE=$WORK/local
  mkdir -p "$REFERENCE"
  (cd "$ROOT" && git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf -) | tar -C "$REFERENCE" -xf -
  log "reference: snakemake --cores all --configfile ${CONFIGS[*]} (local)"
  (cd "$REFERENCE" && snakemake --cores all --configfile "${CONFIGS[@]}" >"$WORK/local.log" 2>&1) \
    || { tail -30 "$WORK/local.log" >&2; die "the local reference run"; }
fi
[ -s "$REFERENCE/book/_build/html/index.html" ] || die "$REFERENCE holds no finished local run (no built book)"
if [ "$FORCE" != all ]; then
  for f in $FORCE; do
    [ -e "$REFERENCE/$f" ] || die "SLURM_TEST_FORCE names $f, which the local run did not make (set SLURM_TEST_FORCE to outputs of $CONFIG)"
  done
fi
REPO=$WORK/cluster
rm -rf "$REPO"
cp -a "$REFERENCE" "$REPO"
rm -rf "$REPO/.snakemake/slurm_logs" "$REPO/.snakemake/locks"

# --- 3. configure the node and start the daemons; undo everything on exit ---------------------
HOST=$(hostname -s)
CONF=/etc/slurm/slurm.conf
# The daemons' state lives outside $WORK: munged runs as user munge, which cannot enter a 0700
# temporary directory of root's (pytest's tmp_path, mktemp -d).
STATE=$(mktemp -d /run/overparam-slurm.XXXXXX 2>/dev/null || mktemp -d /var/tmp/overparam-slurm.XXXXXX)
chmod 0755 "$STATE"
CONF_SAVED=0 CONF_WRITTEN=0 KEY_CREATED=0 SMK_PID="" STARTED=()

stop_pid() {  # stop_pid NAME PIDFILE: TERM, wait up to 20 s, then KILL
  local pid
  pid=$(cat "$2" 2>/dev/null || true)
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.5; done
  log "$1 (pid $pid) ignored TERM: KILL"
  kill -KILL "$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$?
  set +e
  trap '' INT TERM HUP  # a second signal must not cut the clean-up short
  if [ -n "$SMK_PID" ] && kill -0 "$SMK_PID" 2>/dev/null; then
    # INT, not TERM: on TERM snakemake waits for its running jobs; on INT it cancels them.
    log "stopping snakemake (it cancels its SLURM jobs)"
    kill -INT "$SMK_PID" 2>/dev/null
    for _ in $(seq 1 60); do kill -0 "$SMK_PID" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$SMK_PID" 2>/dev/null && kill -KILL -- "-$SMK_PID" 2>/dev/null  # timeout leads its own group
  fi
  if [ "${#STARTED[@]}" -gt 0 ]; then
    log "stopping ${STARTED[*]}"
    [[ " ${STARTED[*]} " == *" slurmctld "* ]] && scancel --quiet --user root 2>/dev/null
    stop_pid slurmd "$STATE/slurmd.pid"
    stop_pid slurmctld "$STATE/slurmctld.pid"
    stop_pid munged "$STATE/munge/munged.pid"
  fi
  if [ "$CONF_SAVED" = 1 ]; then mv -f "$CONF.overparam-backup" "$CONF"
  elif [ "$CONF_WRITTEN" = 1 ]; then rm -f "$CONF"; fi
  [ "$KEY_CREATED" = 1 ] && rm -f /etc/munge/munge.key
  mkdir -p "$WORK/daemon-logs" && cp -r "$STATE/log/." "$STATE/munge/munged.log" "$WORK/daemon-logs/" 2>/dev/null
  rm -rf "$STATE"
  log "node restored (exit $rc); logs in $WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted (INT)"; exit 130' INT
trap 'log "terminated (TERM)"; exit 143' TERM
trap 'log "hung up (HUP)"; exit 129' HUP

daemon_failed() {  # daemon_failed NAME WHAT: fail with the daemon's last log lines
  local f
  for f in "$STATE/log/$1.log" "$STATE/munge/$1.log" "$STATE/log/$1.stderr"; do
    [ -s "$f" ] && { echo "--- last lines of $f:"; tail -25 "$f"; } >&2
  done
  die "$1 $2"
}

mkdir -p "$STATE"/{ctld,slurmd,log,munge} /etc/slurm /etc/munge /run/munge
if [ ! -s /etc/munge/munge.key ]; then
  dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
  KEY_CREATED=1
fi
chown munge:munge /etc/munge /etc/munge/munge.key /run/munge "$STATE/munge"
chmod 0700 /etc/munge "$STATE/munge"; chmod 0400 /etc/munge/munge.key; chmod 0755 /run/munge
# The node line as slurmd itself detects the hardware (CPUs, sockets, memory), named after this
# host and reached on the loopback address (no DNS needed).
NODE=$(slurmd -C | head -1 | sed "s/^NodeName=[^ ]*/NodeName=$HOST NodeAddr=127.0.0.1/; s/ UpTime=.*//")
if [ -e "$CONF" ]; then cp -a "$CONF" "$CONF.overparam-backup" && CONF_SAVED=1; fi
CONF_WRITTEN=1
cat >"$CONF" <<CONF
# Written by overparam tests/slurm/run_slurm_test.sh (restored when it exits): one node, no accounting.
ClusterName=overparam-test
SlurmctldHost=$HOST(127.0.0.1)
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
# Finished jobs stay visible to squeue long enough for the executor's status checks and the final
# check against the controller's record.
MinJobAge=3600
$NODE State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF

STARTED+=(munged)
runuser -u munge -- munged --socket=/run/munge/munge.socket.2 --pid-file="$STATE/munge/munged.pid" \
  --log-file="$STATE/munge/munged.log" --seed-file="$STATE/munge/munged.seed" 2>"$STATE/log/munged.stderr" \
  || daemon_failed munged "did not start"
munge -n 2>>"$STATE/log/munged.stderr" | unmunge >/dev/null 2>>"$STATE/log/munged.stderr" \
  || daemon_failed munged "does not answer (munge -n | unmunge)"
STARTED+=(slurmctld)
slurmctld 2>"$STATE/log/slurmctld.stderr" || daemon_failed slurmctld "did not start"
STARTED+=(slurmd)
slurmd 2>"$STATE/log/slurmd.stderr" || daemon_failed slurmd "did not start"
for i in $(seq 1 60); do
  state=$(sinfo -h -n "$HOST" -o %t 2>/dev/null || true)
  [ "$state" = idle ] && break
  for d in slurmctld slurmd; do
    pid=$(cat "$STATE/$d.pid" 2>/dev/null || true)
    { [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; } || [ "$i" -lt 5 ] || daemon_failed "$d" "exited"
  done
  [ "$i" = 60 ] && { tail -15 "$STATE/log/slurmctld.log" >&2; daemon_failed slurmd "left node $HOST not idle after 120 s (state '$state')"; }
  sleep 2
done
log "node $HOST idle: $(sinfo -h -o '%P %c CPUs %m MB')"
srun -N1 -n1 true || daemon_failed slurmd "cannot run a job step (srun true)"

# --- 4. the forced jobs and their downstream through the executor ------------------------------
cd "$REPO"
# This test cluster has no accounts and no accounting database (sacct answers nothing): job states
# come from squeue (finished jobs stay visible for MinJobAge); poll early (default: 40 s).
# The README's command: the SLURM profile alone (the workflow's default profile would replace its
# default-resources, runtime and cpus_per_task included).
ARGS=(--executor slurm --profile workflow/profiles/slurm --workflow-profile none --configfile "${CONFIGS[@]}"
  --slurm-no-account --slurm-status-command squeue --slurm-init-seconds-before-status-checks 5
  --slurm-keep-successful-logs --jobs 4)
if [ "$FORCE" = all ]; then ARGS+=(--forceall); else read -r -a FORCED <<<"$FORCE"; ARGS+=(--forcerun "${FORCED[@]}"); fi
snakemake "${ARGS[@]}" --dry-run >"$WORK/plan.log" 2>&1 || { tail -30 "$WORK/plan.log" >&2; die "snakemake --dry-run"; }
log "snakemake ${ARGS[*]}"
t_wf=$(date +%s)
timeout "${SLURM_TEST_TIMEOUT:-3600}" snakemake "${ARGS[@]}" >"$WORK/snakemake.log" 2>&1 &
SMK_PID=$!
wait "$SMK_PID" || { rc=$?; SMK_PID=""; tail -40 "$WORK/snakemake.log" >&2; die "snakemake through SLURM (exit $rc)"; }
SMK_PID=""
t_end=$(date +%s)
# The controller's own record of every job it ran (id, comment = rule_<name>..., state).
squeue --states=all -h -o '%i|%k|%T' >"$WORK/controller.txt" || die "squeue --states=all"

# --- 5. check ---------------------------------------------------------------------------------
"$PY" "$ROOT/tests/slurm/check_slurm_run.py" --plan "$WORK/plan.log" --log "$WORK/snakemake.log" \
  --controller "$WORK/controller.txt" --reference "$REFERENCE" --cluster "$REPO" --require $REQUIRE \
  --summary "$WORK/summary.json" || die "the cluster run's checks (above)"
log "OK: $(cat "$WORK/summary.json" | "$PY" -c 'import json,sys; s=json.load(sys.stdin); print(s["sbatch_jobs"], "sbatch jobs", s["sbatch_rules"])'); SLURM run $((t_end - t_wf)) s, total $((t_end - t_start)) s"
