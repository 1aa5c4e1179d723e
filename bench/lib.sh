# Shared by the bench/*/run scripts (sourced): ports, nginx instances, wrk measurements with CPU per request.
# The sourcing script sets: work (its scratch directory), pids (an array it kills at exit), nginx_bin,
# threads, connections, duration; and, for wait_port's diagnostics, optionally caddy_port and caddy_dir.

# A port nobody listens on, from $1 upwards (a successful connect means taken).
free_port() {
  local port=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  echo "$port"
}
# One nginx instance per role, each with its own prefix, pid, logs and temp paths under $work.
declare -A nginx_pid
start_nginx() { # name workers server-block
  local dir=$work/$1
  mkdir -p "$dir/logs" "$dir/tmp"
  {
    # As root the master would hand workers to `nobody`; keep them as the current user.
    [ "$(id -u)" -eq 0 ] && echo "user $(id -un);"
    cat <<CONF
worker_processes $2;
daemon off;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  keepalive_requests 1000000;
  keepalive_timeout 65;
$3
}
CONF
  } >"$dir/nginx.conf"
  "$nginx_bin" -p "$dir" -c "$dir/nginx.conf" -e "$dir/logs/error.log" &
  pids+=($!)
  nginx_pid[$1]=$!
}

wait_port() {
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing listens on 127.0.0.1:$1 after 10 s" >&2
  [ "$1" = "${caddy_port:-}" ] && cat "$caddy_dir/stderr.log" >&2
  exit 1
}

# A target must answer 200 with the upstream's body (or, given a body, that one) before it is measured.
check() { # url [header] [body]
  local answer
  answer=$(curl -sS -o - -w '%{http_code}' ${2:+-H "$2"} "$1")
  [ "$answer" = "${3:-$'hello\n'}200" ] || { echo "$1 answered: $answer" >&2; exit 1; }
}

# CPU time (clock ticks, user + system) of a process and its children (nginx's workers).
ticks() { # pid
  local total=0 pid
  for pid in "$1" $(pgrep -P "$1"); do
    total=$((total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat")))
  done
  echo "$total"
}
# Busy clock ticks of the whole machine (every process and the kernel: user, nice, system, irq, softirq, steal).
machine_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
tick_us=$((1000000 / $(getconf CLK_TCK)))

# wrk's 99% latency in ms (it prints us, ms or s), Requests/sec, the server's CPU microseconds per request (its
# CPU time over the run divided by the requests answered; steadier than requests/s on a shared machine) and the
# whole machine's (wrk, upstream, server and kernel), as "p99 rps cpu machine-cpu".
measure() { # server-pid url [header]
  local pid=$1; shift
  local args=(-t"$threads" -c"$connections" --latency)
  [ $# -gt 1 ] && args+=(-H "$2")
  wrk "${args[@]}" -d3s "$1" >/dev/null
  local before after machine_before machine_after
  before=$(ticks "$pid"); machine_before=$(machine_ticks)
  local out
  out=$(wrk "${args[@]}" -d"${duration}s" "$1")
  after=$(ticks "$pid"); machine_after=$(machine_ticks)
  awk -v ticks=$((after - before)) -v machine=$((machine_after - machine_before)) -v tick_us="$tick_us" -v url="$1" '
    / 99%/ { v = $2; unit = v; sub(/^[0-9.]+/, "", unit); sub(/[a-z]+$/, "", v)
             p99 = unit == "us" ? v / 1000 : unit == "s" ? v * 1000 : v }
    /requests in/ { requests = $1 }
    /^Requests\/sec/ { rps = $2 }
    /Non-2xx or 3xx responses/ { bad = $NF }
    /Socket errors/ { errors = $0 }
    END { if (bad) print url ": non-2xx answers: " bad > "/dev/stderr"; if (errors) print url ": " errors > "/dev/stderr"
          printf "%.3f %.0f %.1f %.1f\n", p99, rps, requests ? ticks * tick_us / requests : 0,
                 requests ? machine * tick_us / requests : 0 }' <<<"$out"
}
# Check, then measure, into <name>_p99, <name>_rps, <name>_cpu and <name>_machine (a failed check stops the run).
# Each measurement is also kept in <name>_rounds, for medians().
bench() { # name server-pid url [header]
  local name=$1 line; shift
  check "$2" "${3:-}"
  line=$(measure "$@")
  read -r "${name}_p99" "${name}_rps" "${name}_cpu" "${name}_machine" <<<"$line"
  eval "${name}_rounds+=(\"\$line\")"
}
# The median of the numbers on standard input, one a line.
median() { sort -g | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# Over the rounds bench() kept of each target: the median of each figure, into <name>_p99 … <name>_machine
# (and any further figure a script appended to each round's line: <name>_decider for bench/authz).
# Measuring the targets in turn, round after round, and taking medians keeps a drift of the machine's speed
# (seen at ±30% within an hour on shared cores) from landing on one target alone.
medians() { # name...
  local name all column value
  local fields=(p99 rps cpu machine decider)
  for name in "$@"; do
    all=$(eval "printf '%s\\n' \"\${${name}_rounds[@]}\"")
    for ((column = 1; column <= $(head -1 <<<"$all" | wc -w); column++)); do
      value=$(cut -d' ' -f"$column" <<<"$all" | median)
      printf -v "${name}_${fields[column - 1]}" '%s' "$value"
    done
  done
}
