# Processes started in their own session with a pid file under $PIDS (sourced by stack.sh and cluster.sh; they define `log`).

running() { # name -> 0 when its recorded pid is alive
  [ -f "$PIDS/$1.pid" ] && kill -0 "$(cat "$PIDS/$1.pid")" 2>/dev/null
}

stop_pid() { # name: TERM its process group, KILL after 10s
  if running "$1"; then
    local pid; pid=$(cat "$PIDS/$1.pid")
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -KILL -- "-$pid" 2>/dev/null || true
    log "$1 stopped"
  fi
  rm -f "$PIDS/$1.pid"
}
