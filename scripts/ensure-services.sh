#!/usr/bin/env bash
# Make sure the real services the test suite talks to are up: Mosquitto, Redis and MariaDB on
# loopback, plus the MariaDB test account. Idempotent; when everything already answers it only
# probes the ports and re-applies the (idempotent) account SQL, which takes well under a second.
#
#   bash scripts/ensure-services.sh
#
# Only the default loopback services (127.0.0.1/localhost on the standard port) are installed or
# started. A TEST_*_URL pointing anywhere else is only checked for reachability.
#
# Missing packages are installed with apt-get (root only); services are started without systemd.
# Knobs (all optional):
#   OWG_SERVICES_WAIT_SECS  how long to wait for a started service to answer (default 60)
#   OWG_SERVICES_RUN_DIR    configs, logs and pid files of services started here (default /tmp/owg-services)
#   OWG_MARIADB_DIR         private MariaDB datadir, used only when /var/lib/mysql is not initialised
#                           (default /var/lib/owg-services/mariadb)
set -euo pipefail

PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

MQTT_URL=${TEST_MQTT_URL:-mqtt://127.0.0.1:1883}
REDIS_URL=${TEST_REDIS_URL:-redis://127.0.0.1:6379}
MARIADB_URL=${TEST_MARIADB_URL:-mariadb://owg_test:owg_test@127.0.0.1:3306/owg_test}
WAIT_SECS=${OWG_SERVICES_WAIT_SECS:-60}
RUN_DIR=${OWG_SERVICES_RUN_DIR:-/tmp/owg-services}
MARIADB_DIR=${OWG_MARIADB_DIR:-/var/lib/owg-services/mariadb}
HINT="run: bash scripts/ensure-services.sh"

started_at=$(date +%s%N)
log() { printf 'ensure-services: %s\n' "$*"; }
warn() { printf 'ensure-services: WARNING: %s\n' "$*" >&2; }
die() { printf 'ensure-services: ERROR: %s\n' "$*" >&2; exit 1; }
is_root() { [[ $(id -u) -eq 0 ]]; }
have() { command -v "$1" >/dev/null 2>&1; }
elapsed() { echo $(( ($(date +%s%N) - started_at) / 1000000 ))ms; }

# ---------------------------------------------------------------------------------------------
# URL helpers: "scheme://[user[:pass]@]host[:port][/path][?query]"
# url_host URL, url_port URL DEFAULT, url_user URL, url_pass URL, url_path URL
url_authority() { local r=${1#*://}; r=${r%%/*}; r=${r%%\?*}; printf '%s' "$r"; }
url_hostport() { local a; a=$(url_authority "$1"); printf '%s' "${a##*@}"; }
url_host() {
  local hp; hp=$(url_hostport "$1")
  if [[ $hp == \[* ]]; then hp=${hp#[}; printf '%s' "${hp%%]*}"; else printf '%s' "${hp%%:*}"; fi
}
url_port() {
  local hp p; hp=$(url_hostport "$1")
  if [[ $hp == \[* ]]; then p=${hp#*]}; p=${p#:}; elif [[ $hp == *:* ]]; then p=${hp##*:}; else p=; fi
  printf '%s' "${p:-$2}"
}
url_userinfo() { local a; a=$(url_authority "$1"); [[ $a == *@* ]] && printf '%s' "${a%@*}"; return 0; }
url_user() { local u; u=$(url_userinfo "$1"); printf '%s' "${u%%:*}"; }
url_pass() { local u; u=$(url_userinfo "$1"); [[ $u == *:* ]] && printf '%s' "${u#*:}"; return 0; }
url_path() { local r=${1#*://}; r=${r%%\?*}; [[ $r == */* ]] && printf '%s' "${r#*/}"; return 0; }
is_loopback() { [[ $1 == 127.0.0.1 || $1 == localhost ]]; }

# tcp_open HOST PORT: does something accept a TCP connection there? (bash /dev/tcp, no tools needed)
tcp_open() { timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2" >/dev/null 2>&1; }

MQTT_HOST=$(url_host "$MQTT_URL");       MQTT_PORT=$(url_port "$MQTT_URL" 1883)
REDIS_HOST=$(url_host "$REDIS_URL");     REDIS_PORT=$(url_port "$REDIS_URL" 6379)
MARIADB_HOST=$(url_host "$MARIADB_URL"); MARIADB_PORT=$(url_port "$MARIADB_URL" 3306)

# Which services are ours to install/start: the default loopback ones only.
manage_mqtt=0; manage_redis=0; manage_mariadb=0
is_loopback "$MQTT_HOST" && [[ $MQTT_PORT == 1883 ]] && manage_mqtt=1
is_loopback "$REDIS_HOST" && [[ $REDIS_PORT == 6379 ]] && manage_redis=1
is_loopback "$MARIADB_HOST" && [[ $MARIADB_PORT == 3306 ]] && manage_mariadb=1

# Serialise concurrent runs (several test runs in one tree): only one of them starts anything.
# Every daemon started below gets `9>&-`, else it would inherit fd 9 and hold the lock forever.
if mkdir -p "$RUN_DIR" 2>/dev/null && [[ -w $RUN_DIR ]] && have flock; then
  exec 9>"$RUN_DIR/.lock"
  flock -w 300 9 || die "another ensure-services run has held $RUN_DIR/.lock for 300 s"
fi

# ---------------------------------------------------------------------------------------------
# 1. Probe. Services that answer are left alone.
mqtt_up=0; redis_up=0; mariadb_up=0
tcp_open "$MQTT_HOST" "$MQTT_PORT" && mqtt_up=1
tcp_open "$REDIS_HOST" "$REDIS_PORT" && redis_up=1
tcp_open "$MARIADB_HOST" "$MARIADB_PORT" && mariadb_up=1

unreachable=()
((mqtt_up || manage_mqtt)) || unreachable+=("Mosquitto at $MQTT_HOST:$MQTT_PORT")
((redis_up || manage_redis)) || unreachable+=("Redis at $REDIS_HOST:$REDIS_PORT")
((mariadb_up || manage_mariadb)) || unreachable+=("MariaDB at $MARIADB_HOST:$MARIADB_PORT")
if ((${#unreachable[@]})); then
  die "not reachable (non-default TEST_*_URL, so not started here): ${unreachable[*]}"
fi

# ---------------------------------------------------------------------------------------------
# 2. Install what is missing (one apt-get update, one apt-get install).
pkgs=()
if ((manage_mqtt && !mqtt_up)) && ! have mosquitto; then pkgs+=(mosquitto); fi
if ((manage_redis && !redis_up)) && ! have redis-server; then pkgs+=(redis-server); fi
if ((manage_mariadb && !mariadb_up)) && ! have mariadbd; then pkgs+=(mariadb-server); fi
if ((manage_mariadb)) && ! have mariadb && [[ " ${pkgs[*]-} " != *" mariadb-server "* ]]; then
  pkgs+=(mariadb-client)
fi
service_pkgs=${#pkgs[@]}
# Not started here; later suites (TLS reverse proxy) start their own nginx.
have nginx || pkgs+=(nginx)
have openssl || pkgs+=(openssl)
# Debian's docker-compose 1.29 validates compose.yaml offline (test/integration/compose.test.ts).
have docker-compose || pkgs+=(docker-compose)
# pdftotext and pdftoppm read the PDF charging report back (test/integration/sessions-report.test.ts).
have pdftotext || pkgs+=(poppler-utils)
# A Python requests client drives the timeseries-api wire mode (test/integration/timeseries-api.test.ts).
have python3 && python3 -c 'import requests' 2>/dev/null || pkgs+=(python3 python3-requests)
# Headless Chromium drives the dashboard's browser tests and bench/dashboard.ts (playwright-core, no browser download).
[[ -x /usr/bin/chromium ]] || pkgs+=(chromium)

if ((${#pkgs[@]})); then
  apt_cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${pkgs[*]}"
  if ! is_root; then
    if ((service_pkgs)); then
      die "missing packages: ${pkgs[*]}. As root, run: $apt_cmd"
    fi
    warn "missing packages (needed by later suites): ${pkgs[*]}. As root, run: $apt_cmd"
  else
    log "installing: ${pkgs[*]}"
    t0=$(date +%s)
    export DEBIAN_FRONTEND=noninteractive
    apt-get -o DPkg::Lock::Timeout=300 update -qq \
      || die "apt-get update failed"
    apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${pkgs[@]}" 9>&- \
      || die "apt-get install ${pkgs[*]} failed"
    log "installed in $(( $(date +%s) - t0 )) s"
    # A package's maintainer script may have started its service already.
    ((mqtt_up)) || ! tcp_open "$MQTT_HOST" "$MQTT_PORT" || mqtt_up=1
    ((redis_up)) || ! tcp_open "$REDIS_HOST" "$REDIS_PORT" || redis_up=1
    ((mariadb_up)) || ! tcp_open "$MARIADB_HOST" "$MARIADB_PORT" || mariadb_up=1
  fi
fi

# ---------------------------------------------------------------------------------------------
# 3. Start what is down (no systemd), then wait until it answers.
MARIADB_SOCKETS=(/run/mysqld/mysqld.sock "$MARIADB_DIR/mysqld.sock")

start_mosquitto() {
  local dir=$RUN_DIR/mosquitto
  mkdir -p "$dir"
  {
    echo "listener $MQTT_PORT 127.0.0.1"
    echo "allow_anonymous true"
    echo "persistence false"
    echo "pid_file $dir/mosquitto.pid"
    echo "log_dest file $dir/mosquitto.log"
    echo "connection_messages false"
    # As root, mosquitto drops to user 'mosquitto' (its log folder must be writable by it);
    # without such a user, 'root' means: do not drop privileges.
    if is_root && ! id mosquitto >/dev/null 2>&1; then echo "user root"; fi
  } >"$dir/mosquitto.conf"
  touch "$dir/mosquitto.log"
  if is_root && id mosquitto >/dev/null 2>&1; then chown mosquitto "$dir" "$dir/mosquitto.log"; fi
  log "starting mosquitto (config $dir/mosquitto.conf)"
  mosquitto -d -c "$dir/mosquitto.conf" 9>&- || die "mosquitto failed to start; see $dir/mosquitto.log"
}

start_redis() {
  local dir=$RUN_DIR/redis
  mkdir -p "$dir"
  log "starting redis-server (log $dir/redis.log)"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no \
    --dir "$dir" --logfile "$dir/redis.log" --pidfile "$dir/redis.pid" 9>&- \
    || die "redis-server failed to start; see $dir/redis.log"
}

MARIADB_LOG=
start_mariadb() {
  is_root || die "MariaDB is not running on 127.0.0.1:3306 and only root can start it here. As root, $HINT"
  if [[ -d /var/lib/mysql/mysql ]]; then
    # The system datadir is initialised (Debian's package does that): start the system server.
    local owner group
    owner=$(stat -c %U /var/lib/mysql); group=$(stat -c %G /var/lib/mysql)
    install -d -o "$owner" -g "$group" /run/mysqld
    install -d -o "$owner" -g "$group" /var/log/mysql   # the default log-error location
    MARIADB_LOG=/var/log/mysql/error.log
    log "starting mariadbd (system datadir /var/lib/mysql, user $owner)"
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user="$owner" 9>&- \
      || die "could not start mariadbd"
  else
    # No usable system datadir: a private one, as root, on the standard port. --no-defaults keeps
    # the system my.cnf (user = mysql, log paths, ...) out of it.
    local data=$MARIADB_DIR/data
    MARIADB_LOG=$MARIADB_DIR/error.log
    mkdir -p "$data"
    if [[ ! -d $data/mysql ]]; then
      log "initialising MariaDB datadir $data"
      mariadb-install-db --no-defaults --user=root --datadir="$data" --auth-root-authentication-method=socket \
        --skip-test-db >"$MARIADB_DIR/install-db.log" 2>&1 \
        || die "mariadb-install-db failed; see $MARIADB_DIR/install-db.log"
    fi
    log "starting mariadbd (datadir $data, socket $MARIADB_DIR/mysqld.sock)"
    setsid -f mariadbd --no-defaults --user=root --datadir="$data" --socket="$MARIADB_DIR/mysqld.sock" \
      --pid-file="$MARIADB_DIR/mysqld.pid" --log-error="$MARIADB_LOG" --port=3306 \
      --bind-address=127.0.0.1 --skip-name-resolve --skip-log-bin --character-set-server=utf8mb4 \
      --collation-server=utf8mb4_general_ci </dev/null >>"$MARIADB_DIR/mariadbd.out" 2>&1 9>&-
  fi
}

mqtt_ready() { tcp_open "$MQTT_HOST" "$MQTT_PORT"; }
redis_ready() { [[ $(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]; }
mariadb_ready() {
  # The server speaks first (its handshake, or an error packet such as "host not allowed"): it
  # answers once a few bytes arrive. (mariadb-admin ping fails on "host not allowed" and on a
  # TLS error, so it is no good here.)
  local bytes
  bytes=$(timeout 3 bash -c 'exec 3<>"/dev/tcp/$0/$1" && head -c 4 <&3 | wc -c' \
    "$MARIADB_HOST" "$MARIADB_PORT" 2>/dev/null) || return 1
  [[ ${bytes:-0} -ge 4 ]]
}

# wait_until NAME LOGFILE CHECK...: poll CHECK until it succeeds, at most WAIT_SECS seconds.
wait_until() {
  local name=$1 logfile=$2; shift 2
  local deadline=$(( $(date +%s) + WAIT_SECS ))
  until "$@"; do
    if (( $(date +%s) >= deadline )); then
      if [[ -n $logfile && -r $logfile ]]; then
        printf '%s\n' "--- last lines of $logfile:" >&2; tail -n 20 "$logfile" >&2 || true
      fi
      die "$name did not answer within $WAIT_SECS s"
    fi
    sleep 0.2
  done
  log "$name is up ($(elapsed))"
}

to_wait=()
if ((!mqtt_up)); then start_mosquitto; to_wait+=(mqtt); fi
if ((!redis_up)); then start_redis; to_wait+=(redis); fi
if ((!mariadb_up)); then start_mariadb; to_wait+=(mariadb); fi
for s in "${to_wait[@]-}"; do
  case $s in
    mqtt) wait_until "Mosquitto ($MQTT_HOST:$MQTT_PORT)" "$RUN_DIR/mosquitto/mosquitto.log" mqtt_ready ;;
    redis) wait_until "Redis ($REDIS_HOST:$REDIS_PORT)" "$RUN_DIR/redis/redis.log" redis_ready ;;
    mariadb) wait_until "MariaDB ($MARIADB_HOST:$MARIADB_PORT)" "$MARIADB_LOG" mariadb_ready ;;
  esac
done

# ---------------------------------------------------------------------------------------------
# 4. The MariaDB test account (only on the default loopback server).
mariadb_user=$(url_user "$MARIADB_URL"); mariadb_pass=$(url_pass "$MARIADB_URL")
mariadb_db=$(url_path "$MARIADB_URL")

# admin_sql SQL: run SQL as MariaDB root: unix socket first (as root), then TCP with an empty password.
admin_sql() {
  local sock
  for sock in "${MARIADB_SOCKETS[@]}"; do
    [[ -S $sock ]] || continue
    mariadb --protocol=socket --socket="$sock" -uroot --batch -e "$1" 2>/dev/null && return 0
  done
  MYSQL_PWD='' mariadb --protocol=tcp -h "$MARIADB_HOST" -P "$MARIADB_PORT" -uroot --batch \
    --connect-timeout=5 -e "$1" 2>/dev/null
}
test_account_works() {
  MYSQL_PWD=$mariadb_pass mariadb --protocol=tcp -h "$MARIADB_HOST" -P "$MARIADB_PORT" \
    -u "$mariadb_user" --connect-timeout=5 --batch -e 'SELECT 1' "$mariadb_db" >/dev/null 2>&1
}

if ((manage_mariadb)) && have mariadb; then
  ident='^[A-Za-z0-9_]+$'
  if [[ ! $mariadb_user =~ $ident || ! $mariadb_pass =~ $ident || ! $mariadb_db =~ $ident ]]; then
    warn "TEST_MARIADB_URL user/password/database are not plain identifiers; not creating the account"
  else
    grant_db_sql=
    [[ $mariadb_db == owg_test* ]] || grant_db_sql="GRANT ALL PRIVILEGES ON \`$mariadb_db\`.* TO '$mariadb_user'@'127.0.0.1', '$mariadb_user'@'localhost';"
    sql="CREATE USER IF NOT EXISTS '$mariadb_user'@'127.0.0.1' IDENTIFIED BY '$mariadb_pass';
CREATE USER IF NOT EXISTS '$mariadb_user'@'localhost' IDENTIFIED BY '$mariadb_pass';
ALTER USER '$mariadb_user'@'127.0.0.1' IDENTIFIED BY '$mariadb_pass';
ALTER USER '$mariadb_user'@'localhost' IDENTIFIED BY '$mariadb_pass';
GRANT ALL PRIVILEGES ON \`owg\\_test%\`.* TO '$mariadb_user'@'127.0.0.1', '$mariadb_user'@'localhost';
$grant_db_sql
CREATE DATABASE IF NOT EXISTS \`$mariadb_db\`;"
    if ! admin_sql "$sql"; then
      # Not root on this server (say, a developer's own MariaDB): fine if the account already works.
      test_account_works || die "cannot log in to MariaDB as root (socket or TCP with empty password) to create the test account, and '$mariadb_user' cannot log in either. Create it as a MariaDB admin:
$sql"
      warn "could not run the account SQL as MariaDB root; the existing '$mariadb_user' account works, using it"
    fi
  fi
fi
if ((manage_mariadb)) && have mariadb && ! test_account_works; then
  die "MariaDB answers but '$mariadb_user' cannot log in to '$mariadb_db' at $MARIADB_HOST:$MARIADB_PORT"
fi

log "Mosquitto $MQTT_HOST:$MQTT_PORT, Redis $REDIS_HOST:$REDIS_PORT, MariaDB $MARIADB_HOST:$MARIADB_PORT ($mariadb_user@$mariadb_db) are up ($(elapsed))"
