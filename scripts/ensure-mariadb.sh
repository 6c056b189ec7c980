#!/bin/sh
# Makes sure a MariaDB server answers on 127.0.0.1:3306 for the MySQL tests (root, empty password,
# database `test`): installs the Debian package mariadb-server when /usr/sbin/mariadbd is missing,
# starts the server when it is not running, and waits for it. Run as root (CI containers are).
set -eu

if [ ! -x /usr/sbin/mariadbd ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends mariadb-server mariadb-client >/dev/null
fi

answers() { mariadb -uroot -h127.0.0.1 -P3306 -e 'SELECT 1' >/dev/null 2>&1; }

if ! answers; then
  mkdir -p /run/mysqld
  chown mysql:mysql /run/mysqld 2>/dev/null || true
  if [ ! -d /var/lib/mysql/mysql ]; then
    mariadb-install-db --user=mysql --datadir=/var/lib/mysql >/dev/null
  fi
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
  i=0
  until answers; do
    i=$((i + 1))
    if [ "$i" -gt 60 ]; then
      echo "ensure-mariadb: the server did not answer on 127.0.0.1:3306 within 30 s" >&2
      exit 1
    fi
    sleep 0.5
  done
fi

# Root over TCP with an empty password (the Debian default is unix_socket auth for root@localhost).
mariadb -uroot -e "CREATE DATABASE IF NOT EXISTS test" 2>/dev/null || mariadb -uroot -h127.0.0.1 -e "CREATE DATABASE IF NOT EXISTS test"
echo "ensure-mariadb: $(mariadb -uroot -h127.0.0.1 -N -e 'SELECT VERSION()') on 127.0.0.1:3306"
