#!/usr/bin/env bash
# SIPp as the load against the gateway, on loopback only, bounded in calls and time:
# starts the bench's lean trunk and the gateway jar (embedded PostgreSQL, MD5 challenge first for SIPp),
# provisions funded subscribers (bench provision -> SIPp injection file), runs SIPP_INSTANCES SIPp UACs, each
# from its own loopback address (the gateway bans a source above 200 requests/s), at RATE calls/s in total
# for SECONDS, then prints SIPp's counts, the setup (INVITE to 200) response-time percentiles from
# -trace_rtt, and the gateway's and its database's CPU per call. Everything it started is stopped on exit.
#
#   bench/sipp/run-gateway-load.sh RATE SECONDS [HOLD_MS]     e.g. bench/sipp/run-gateway-load.sh 100 60 2000
#
# Env: SIPP_INSTANCES (default: one per 20 calls/s), SUBSCRIBERS (default RATE*(HOLD+1 s)/2, at least 200:
# a member may hold 4 calls), GATEWAY_JAR, BENCH_JAR, KEEP=1 keeps the work dir (logs, SIPp files).
set -euo pipefail
cd "$(dirname "$0")/../.."

RATE=${1:?calls per second}
SECONDS_TOTAL=${2:?seconds of calling}
HOLD_MS=${3:-2000}
GATEWAY_JAR=${GATEWAY_JAR:-gateway/target/gateway.jar}
BENCH_JAR=${BENCH_JAR:-bench/target/bench.jar}
INSTANCES=${SIPP_INSTANCES:-$(( (RATE + 19) / 20 ))}
CALLS=$(( RATE * SECONDS_TOTAL ))
SUBSCRIBERS=${SUBSCRIBERS:-$(( RATE * (HOLD_MS + 1000) / 2000 > 200 ? RATE * (HOLD_MS + 1000) / 2000 : 200 ))}
(( RATE >= 1 && RATE <= 5000 && SECONDS_TOTAL >= 1 && SECONDS_TOTAL <= 600 && INSTANCES >= 1 && INSTANCES <= 200 )) \
  || { echo "RATE in [1, 5000], SECONDS in [1, 600], SIPP_INSTANCES in [1, 200]" >&2; exit 2; }
command -v sipp >/dev/null || { echo "sipp missing: apt-get install sip-tester" >&2; exit 2; }

WORK=$(mktemp -d /tmp/sipp-gateway-XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "${KEEP:-0}" = 1 ]; then echo "work dir kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cpu_ticks() { # utime+stime of a process and its children, in clock ticks
  local total=0 p
  for p in "$@"; do
    [ -r "/proc/$p/stat" ] && total=$(( total + $(awk '{sub(/^.*\) /,""); print $12 + $13}' "/proc/$p/stat") ))
  done
  echo "$total"
}
db_pids() { local pm; pm=$(head -1 "$WORK/gw/pg"*/postmaster.pid 2>/dev/null || true); [ -n "$pm" ] && echo "$pm $(pgrep -P "$pm" | tr '\n' ' ')"; }

TRUNK_PORT=$(free_port); SIP_PORT=$(free_port); HTTP_PORT=$(free_port)
export MILEAGE_OPERATOR_PASSWORD
MILEAGE_OPERATOR_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
java -jar "$BENCH_JAR" trunk --port "$TRUNK_PORT" --for $(( SECONDS_TOTAL + 600 ))s > "$WORK/trunk.log" 2>&1 &
PIDS+=($!)
mkdir -p "$WORK/gw"
MILEAGE_SIP_MD5_FIRST=true java -jar "$GATEWAY_JAR" --data-dir "$WORK/gw" --host 127.0.0.1 --http-port "$HTTP_PORT" \
  --sip-port "$SIP_PORT" --trunk-uri "sip:pstn@127.0.0.1:$TRUNK_PORT" --no-demo > "$WORK/gateway.log" 2>&1 &
GW=$!
PIDS+=("$GW")
for _ in $(seq 1 240); do
  curl -fs "http://127.0.0.1:$HTTP_PORT/health" >/dev/null 2>&1 && break
  kill -0 "$GW" 2>/dev/null || { echo "gateway exited; log:"; tail -20 "$WORK/gateway.log"; exit 1; }
  sleep 0.5
done
curl -fs "http://127.0.0.1:$HTTP_PORT/health" >/dev/null || { echo "gateway not healthy in 120 s" >&2; exit 1; }

echo "provisioning $SUBSCRIBERS subscribers ..."
java -jar "$BENCH_JAR" provision --gateway-http "http://127.0.0.1:$HTTP_PORT" --subscribers "$SUBSCRIBERS" \
  --csv "$WORK/subscribers.csv"
# one injection file per SIPp instance (line i to instance i mod N), so no member is called by two at once
for k in $(seq 0 $(( INSTANCES - 1 ))); do
  awk -v k="$k" -v n="$INSTANCES" 'NR == 1 || (NR - 2) % n == k' "$WORK/subscribers.csv" > "$WORK/subs-$k.csv"
done

GW_BEFORE=$(cpu_ticks "$GW"); DB_BEFORE=$(cpu_ticks $(db_pids))
LOAD_BEFORE=$(cut -d' ' -f1 /proc/loadavg)
echo "SIPp: $INSTANCES instances, $RATE calls/s in total for $SECONDS_TOTAL s ($CALLS calls), hold $HOLD_MS ms"
SIPPS=()
MEDIA_BASE=$(( 30000 + 4 * (RANDOM % 2000) ))
for k in $(seq 0 $(( INSTANCES - 1 ))); do
  r=$(( RATE / INSTANCES + (k < RATE % INSTANCES ? 1 : 0) ))
  m=$(( CALLS / INSTANCES + (k < CALLS % INSTANCES ? 1 : 0) ))
  (( m > 0 && r > 0 )) || continue
  ip="127.0.0.$(( k + 2 ))"
  # foreground SIPp (its screen to /dev/null), figures from -trace_stat and -trace_rtt files in the work dir
  (cd "$WORK" && exec sipp -sf "$OLDPWD/bench/sipp/uac-digest.xml" -inf "subs-$k.csv" -i "$ip" -p "$(free_port)" \
     -mi "$ip" -mp "$MEDIA_BASE" "127.0.0.1:$SIP_PORT" -r "$r" -m "$m" -l $(( r * 40 + 100 )) -d "$HOLD_MS" \
     -timeout $(( SECONDS_TOTAL + 120 ))s -timeout_error -nostdin -trace_stat -stf "stat-$k.csv" -fd 1 \
     -trace_rtt -rtt_freq 100 -trace_err -error_file "err-$k.log" > /dev/null 2> "sipp-$k.err") &
  SIPPS+=($!)
  PIDS+=($!)
done
deadline=$(( $(date +%s) + SECONDS_TOTAL + 180 ))
for pid in "${SIPPS[@]}"; do
  while kill -0 "$pid" 2>/dev/null; do
    (( $(date +%s) < deadline )) || { echo "SIPp $pid stopped at the deadline"; kill "$pid"; break; }
    sleep 1
  done
  wait "$pid" 2>/dev/null || true
done
sleep 2
GW_AFTER=$(cpu_ticks "$GW"); DB_AFTER=$(cpu_ticks $(db_pids))
HZ=$(getconf CLK_TCK)

ok=0; failed=0
for f in "$WORK"/stat-*.csv; do
  [ -s "$f" ] || continue
  # the last line holds the cumulative counters; columns found by name in the header
  line=$(awk -F';' 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i } END { print $col["SuccessfulCall(C)"] ";" $col["FailedCall(C)"] }' "$f")
  ok=$(( ok + ${line%;*} )); failed=$(( failed + ${line#*;} ))
done
cat "$WORK"/*_rtt.csv 2>/dev/null | awk -F';' '$3 == 1 { print $2 }' | sort -n > "$WORK/setup-ms.txt" || true
n=$(wc -l < "$WORK/setup-ms.txt")
pct() { [ "$n" -gt 0 ] && awk -v p="$1" -v n="$n" 'NR == int((n - 1) * p) + 1 { print; exit }' "$WORK/setup-ms.txt" || echo "-"; }
echo "sippCallsSuccessful   $ok"
echo "sippCallsFailed       $failed   (of $CALLS)"
echo "setupMs p50/p90/p99/max  $(pct 0.5) / $(pct 0.9) / $(pct 0.99) / $(tail -1 "$WORK/setup-ms.txt" 2>/dev/null || echo -)   ($n samples, SIPp -trace_rtt partition 1: INVITE to 200)"
total=$(( ok + failed > 0 ? ok + failed : 1 ))
awk -v g=$(( GW_AFTER - GW_BEFORE )) -v d=$(( DB_AFTER - DB_BEFORE )) -v hz="$HZ" -v c="$total" \
  'BEGIN { printf "gatewayCpuMsPerCall   %.2f\ndatabaseCpuMsPerCall  %.2f\n", g * 1000 / hz / c, d * 1000 / hz / c }'
echo "loadAverage1m         $LOAD_BEFORE at start, $(cut -d' ' -f1 /proc/loadavg) at end"
grep -h -i 'error\|failed' "$WORK"/err-*.log 2>/dev/null | sed 's/^.*: //' | sort | uniq -c | sort -rn | head -5 || true
