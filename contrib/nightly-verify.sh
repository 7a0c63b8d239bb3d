#!/bin/sh
# Nightly vendor check: asks GSTN about every GSTIN in the vendor master
# (answers younger than a day come from the store, so nothing is paid for
# twice) and writes a dated workbook and JSON summary.
#
# The store, the provider and the credentials file come from gstbatch's
# configuration file (`gstbatch config` shows them); this script names only
# the files:
#   GSTBATCH_VENDORS  the vendor master, CSV or workbook (required)
#   GSTBATCH_REPORTS  the folder for reports (default: ~/gstbatch-reports)
#   GSTBATCH_MAX_AGE  answers younger than this are not asked again (1d)
#
# Exit status, for cron's mail and systemd's OnFailure=: 0 nothing changed,
# 1 a vendor's status changed since the last run (see the report), 2 the
# check could not run.
set -u
vendors="${GSTBATCH_VENDORS:?set GSTBATCH_VENDORS to the vendor master}"
reports="${GSTBATCH_REPORTS:-$HOME/gstbatch-reports}"
mkdir -p "$reports" || exit 2
day=$(date +%Y-%m-%d)
gstbatch verify "$vendors" --max-age "${GSTBATCH_MAX_AGE:-1d}" --fail-if-changed -q \
  -o "$reports/verify-$day.xlsx" --summary "$reports/verify-$day.json"
status=$?
if [ "$status" -eq 1 ]; then
  echo "gstbatch: a vendor's GST status changed: see $reports/verify-$day.xlsx" >&2
fi
exit "$status"
