@echo off
rem Nightly vendor check for Windows Task Scheduler: asks GSTN about every
rem GSTIN in the vendor master (answers younger than a day come from the
rem store, so nothing is paid for twice). The store, the provider and the
rem credentials file come from %APPDATA%\gstbatch\config.toml.
rem Exit code: 0 nothing changed, 1 a vendor's status changed, 2 a failure.
setlocal
if "%GSTBATCH_VENDORS%"=="" set "GSTBATCH_VENDORS=%USERPROFILE%\Documents\vendors.xlsx"
if "%GSTBATCH_REPORTS%"=="" set "GSTBATCH_REPORTS=%USERPROFILE%\Documents\gstbatch-reports"
if "%GSTBATCH_MAX_AGE%"=="" set "GSTBATCH_MAX_AGE=1d"
if not exist "%GSTBATCH_REPORTS%\" mkdir "%GSTBATCH_REPORTS%"
if not exist "%GSTBATCH_REPORTS%\" exit /b 2
gstbatch verify "%GSTBATCH_VENDORS%" --max-age %GSTBATCH_MAX_AGE% --fail-if-changed -q -o "%GSTBATCH_REPORTS%\verify.xlsx" --summary "%GSTBATCH_REPORTS%\verify.json"
exit /b %ERRORLEVEL%
