#!/usr/bin/env bash
# Report timings on the scale data sets, each case from a cold start (bench/report_scale.py).
#
#   bench/report_scale.sh            # as root on the database host: restarts PostgreSQL 15 and
#                                    # empties the page cache before each case
#
# Needs the databases dh_scale_district and dh_scale_province (README: seed_demo --scale) and
# nothing else using that PostgreSQL while it runs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

CASES=(
  "dh_scale_district 006:2024-Q2"
  "dh_scale_district 006:2024"
  "dh_scale_province 01:2026-Q3"
  "dh_scale_province 01:2024-Q2"
  "dh_scale_province 01:2024"
)
for case in "${CASES[@]}"; do
  read -r db report <<<"$case"
  pg_ctlcluster 15 main restart
  sync
  echo 3 >/proc/sys/vm/drop_caches
  until pg_isready -q -h 127.0.0.1; do sleep 0.2; done
  REPORT_CASE="$report" DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db" DEBUG=1 \
    ALLOWED_HOSTS=testserver .venv/bin/python manage.py shell -v0 <bench/report_scale.py
done
