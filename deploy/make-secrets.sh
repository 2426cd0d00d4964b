#!/usr/bin/env bash
# Creates, once, what compose.yaml needs and git must never see (existing files are kept):
#   deploy/.env                              from deploy/.env.example
#   deploy/secrets/mariadb_root_password     random
#   deploy/secrets/mariadb_password          random
#   deploy/secrets/database_url              mariadb://owg:<mariadb_password>@mariadb:3306/owg
#   deploy/certs/fullchain.pem, privkey.pem  self-signed for HOST (replace with a real certificate)
#
#   bash deploy/make-secrets.sh [HOST]       HOST defaults to localhost
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
host=${1:-localhost}
umask 077

created=()
random_secret() { openssl rand -hex 24 | tr -d '\n'; }
new_file() { [[ -s $1 ]] && return 1; created+=("deploy/$1"); }

[[ -e .env ]] || { cp .env.example .env; created+=(deploy/.env); }

mkdir -p secrets certs
if new_file secrets/mariadb_root_password; then random_secret >secrets/mariadb_root_password; fi
if new_file secrets/mariadb_password; then random_secret >secrets/mariadb_password; fi
if new_file secrets/database_url; then
  # Hex passwords need no percent-encoding in the URL.
  printf 'mariadb://owg:%s@mariadb:3306/owg' "$(cat secrets/mariadb_password)" >secrets/database_url
fi
# Compose bind-mounts secret files as they are and the containers read them as their own users
# (node, mysql): the files are world-readable, the folder around them is not.
chmod 0700 secrets
chmod 0644 secrets/*

if new_file certs/fullchain.pem; then
  [[ $host =~ ^[A-Za-z0-9.-]+$ ]] || { echo "make-secrets: not a host name: $host" >&2; exit 2; }
  san="DNS:$host"
  [[ $host =~ ^[0-9.]+$ ]] && san="IP:$host"
  openssl req -x509 -newkey rsa:2048 -nodes -days 365 -keyout certs/privkey.pem -out certs/fullchain.pem \
    -subj "/CN=$host" -addext "subjectAltName=$san" 2>/dev/null
  chmod 0644 certs/fullchain.pem
  echo "make-secrets: self-signed certificate for $host; replace deploy/certs/*.pem with a real one (e.g. Let's Encrypt)"
fi

if ((${#created[@]})); then printf 'make-secrets: created %s\n' "${created[@]}"; else echo 'make-secrets: nothing to do'; fi
